/* The approval queue: approve, reject with a reason, and edit with a live length counter that
   counts in the platform's unit (server-side, debounced). An edit that fails the checks is not
   saved. */
"use strict";

(function () {
  const { api, announce, showError, clearError, formatTime } = window.bookagent;
  const queue = document.getElementById("approval-queue");
  if (!queue) return;
  const DEBOUNCE_MS = 250;

  function wire(article) {
    const postId = article.dataset.postId;
    const unitLabel = article.dataset.unitLabel;
    const actions = article.querySelector(".actions");
    const approveButton = article.querySelector('[data-action="approve"]');
    const editButton = article.querySelector('[data-action="edit"]');
    const rejectButton = article.querySelector('[data-action="reject"]');
    const content = article.querySelector(".post-content");
    const count = article.querySelector('[data-role="length"]');
    const editor = article.querySelector("form.editor");
    const textarea = editor.querySelector("textarea");
    const live = editor.querySelector(".counter");
    const editError = editor.querySelector(".field-error");
    const saveButton = editor.querySelector('button[type="submit"]');
    const rejecter = article.querySelector("form.rejecter");
    const reason = rejecter.querySelector("input[name='reason']");
    const outcome = article.querySelector(".outcome");
    let busy = false;
    let timer = null;
    let sequence = 0;
    let lastCheck = null; // {text, result}

    function finish(message) {
      for (const node of [actions, editor, rejecter]) node.hidden = true;
      article.classList.add("done");
      outcome.textContent = message;
      outcome.classList.remove("error-message");
      outcome.classList.add("ok");
      outcome.hidden = false;
      outcome.focus();
      announce(message);
    }

    function fail(err, box) {
      const target = box || outcome;
      if (!box) {
        outcome.classList.remove("ok");
        outcome.classList.add("error-message");
      }
      showError(target, err);
      target.hidden = false;
      if (!box) target.focus();
    }

    async function run(action) {
      if (busy) return;
      busy = true;
      article.setAttribute("aria-busy", "true");
      try {
        await action();
      } finally {
        busy = false;
        article.removeAttribute("aria-busy");
      }
    }

    function renderCheck(result) {
      const over = !result.ok;
      live.replaceChildren(`${result.measured_length} / ${result.limit} ${unitLabel}`);
      live.classList.toggle("over", over);
      textarea.setAttribute("aria-invalid", over ? "true" : "false");
      if (over) {
        showError(editError, result.violations.map((v) => v.message));
        saveButton.setAttribute("aria-disabled", "true");
      } else {
        clearError(editError);
        saveButton.removeAttribute("aria-disabled");
      }
    }

    async function check() {
      const text = textarea.value;
      if (lastCheck && lastCheck.text === text) return lastCheck.result;
      const mine = ++sequence;
      const result = await api("POST", "/api/posts/measure", { post_id: postId, content: text });
      if (mine === sequence) {
        lastCheck = { text, result };
        renderCheck(result);
      }
      return result;
    }

    approveButton.addEventListener("click", () => run(async () => {
      try {
        const answer = await api("POST", "/api/approve-post", { post_id: postId });
        const when = answer.scheduled_time ? ` Scheduled for ${formatTime(answer.scheduled_time)}.` : "";
        finish(`Approved.${when}`);
      } catch (err) {
        fail(err);
      }
    }));

    editButton.addEventListener("click", () => {
      const opening = editor.hidden;
      editor.hidden = !opening;
      rejecter.hidden = true;
      rejectButton.setAttribute("aria-expanded", "false");
      editButton.setAttribute("aria-expanded", String(opening));
      if (opening) {
        textarea.focus();
        check().catch((err) => fail(err, editError));
      }
    });

    textarea.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => check().catch((err) => fail(err, editError)), DEBOUNCE_MS);
    });

    editor.querySelector('[data-action="cancel-edit"]').addEventListener("click", () => {
      editor.hidden = true;
      editButton.setAttribute("aria-expanded", "false");
      editButton.focus();
    });

    editor.addEventListener("submit", (event) => {
      event.preventDefault();
      run(async () => {
        window.clearTimeout(timer);
        try {
          const result = await check();
          if (!result.ok) {
            renderCheck(result);
            textarea.focus();
            announce("Not saved: " + result.violations.map((v) => v.message).join(" "));
            return;
          }
          const answer = await api("PATCH", "/api/posts/" + encodeURIComponent(postId), { content: textarea.value });
          content.textContent = answer.post.content;
          count.textContent = String(answer.post.measured_length);
          editor.hidden = true;
          editButton.setAttribute("aria-expanded", "false");
          outcome.textContent = "Edit saved.";
          outcome.classList.add("ok");
          outcome.hidden = false;
          announce("Edit saved.");
          editButton.focus();
        } catch (err) {
          fail(err, editError);
          textarea.focus();
        }
      });
    });

    rejectButton.addEventListener("click", () => {
      const opening = rejecter.hidden;
      rejecter.hidden = !opening;
      editor.hidden = true;
      editButton.setAttribute("aria-expanded", "false");
      rejectButton.setAttribute("aria-expanded", String(opening));
      if (opening) reason.focus();
    });

    rejecter.querySelector('[data-action="cancel-reject"]').addEventListener("click", () => {
      rejecter.hidden = true;
      rejectButton.setAttribute("aria-expanded", "false");
      rejectButton.focus();
    });

    rejecter.addEventListener("submit", (event) => {
      event.preventDefault();
      run(async () => {
        try {
          const body = { post_id: postId };
          if (reason.value.trim()) body.reason = reason.value.trim();
          await api("POST", "/api/reject-post", body);
          finish(body.reason ? `Rejected: ${body.reason}` : "Rejected.");
        } catch (err) {
          fail(err);
        }
      });
    });
  }

  for (const article of queue.querySelectorAll("article.post")) wire(article);
})();
