/* Generate posts: submit to /api/generate-posts, then follow the task's progress to 100 %. */
"use strict";

(function () {
  const { api, announce, followTask, showError, clearError, element } = window.bookagent;
  const form = document.getElementById("generate-form");
  if (!form) return;
  const button = document.getElementById("generate-button");
  const errorBox = document.getElementById("generate-error");
  const section = document.getElementById("progress-section");
  const bar = document.getElementById("generate-progress");
  const status = document.getElementById("generate-status");
  const done = document.getElementById("generate-done");
  const results = document.getElementById("generate-results");
  let running = false;
  let lastText = "";

  function setProgress(percent, text) {
    const value = Math.max(0, Math.min(100, Math.round(percent)));
    bar.value = value;
    bar.textContent = value + "%";
    const line = `${value}% ${text}`;
    if (line !== lastText) {
      status.textContent = line;
      lastText = line;
    }
  }

  function showResults(posts, rejected) {
    results.replaceChildren();
    results.append(element("h3", "", `${posts.length} post${posts.length === 1 ? "" : "s"} written`));
    const list = element("ol", "result-list");
    for (const post of posts) {
      const item = element("li");
      item.append(element("strong", "", `${post.platform} (${post.measured_length}/${post.limit}): `));
      item.append(document.createTextNode(post.content));
      list.append(item);
    }
    results.append(list);
    if (rejected && rejected.length) {
      results.append(element("h3", "", `${rejected.length} draft${rejected.length === 1 ? " was" : "s were"} rejected by the checks`));
      const skipped = element("ul", "result-list");
      for (const r of rejected) skipped.append(element("li", "", `${r.platform}: ${r.reason}`));
      results.append(skipped);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (running) return;
    clearError(errorBox);
    const platforms = Array.from(form.querySelectorAll('input[name="platforms"]:checked')).map((i) => i.value);
    const count = Number.parseInt(form.elements.count_per_platform.value, 10);
    if (!platforms.length) {
      showError(errorBox, ["Pick at least one platform."]);
      form.querySelector('input[name="platforms"]').focus();
      return;
    }
    if (!Number.isInteger(count) || count < 1 || count > 50) {
      showError(errorBox, ["Posts per platform must be a whole number from 1 to 50."]);
      form.elements.count_per_platform.focus();
      return;
    }
    const total = count * platforms.length;
    const body = { book_id: form.dataset.bookId, platforms, count_per_platform: count };
    if (form.elements.provider.value) body.provider = form.elements.provider.value;

    running = true;
    button.setAttribute("aria-disabled", "true");
    section.hidden = false;
    done.hidden = true;
    results.replaceChildren();
    setProgress(0, `Writing ${total} post${total === 1 ? "" : "s"}…`);
    try {
      const answer = await api("POST", "/api/generate-posts", body);
      let posts = answer.posts;
      let rejected = answer.rejected || [];
      if (answer.task_id) {
        setProgress(0, `Queued in the background: ${total} posts.`);
        const final = await followTask(answer.task_id, (task) => {
          const p = task.progress || {};
          const of = p.total ? ` (${p.current} of ${p.total})` : "";
          setProgress(p.percent || 0, (p.message || task.status.toLowerCase()) + of);
        });
        if (final.status !== "SUCCESS") {
          const why = final.error ? `${final.error.type}: ${final.error.message}` : final.status.toLowerCase();
          throw new window.bookagent.ApiError(0, { error: `The generation did not finish: ${why}` });
        }
        posts = final.result.posts;
        rejected = final.result.rejected || [];
      }
      setProgress(100, `Done: ${posts.length} post${posts.length === 1 ? "" : "s"} written, waiting for your approval.`);
      showResults(posts, rejected);
      done.hidden = false;
      announce("Generation finished.");
      document.getElementById("to-approvals").focus();
    } catch (err) {
      setProgress(Number(bar.value) || 0, "Stopped.");
      showError(errorBox, err);
    } finally {
      running = false;
      button.removeAttribute("aria-disabled");
    }
  });
})();
