/* The approval queue: each post as its platform will show it (the server's `preview`: the text
   as displayed, the fold, link card or image placeholder, the count), approve, reject with a
   reason, and edit with a live counter and preview in the platform's unit (server-side,
   debounced). An edit that fails the checks is not saved. Post text is untrusted: it only ever
   reaches the page as text nodes, never as HTML. */
"use strict";

(function () {
  const { api, announce, showError, clearError, formatTime, element } = window.bookagent;
  const queue = document.getElementById("approval-queue");
  if (!queue) return;
  const DEBOUNCE_MS = 250;
  const LESS_LABEL = "Show less";

  /** One span of the displayed text: plain text, a link (full URL as its title) or a hashtag. */
  function spanNode(span) {
    if (span.kind === "link") {
      const node = element("span", "preview-link", span.text);
      node.title = span.target;
      return node;
    }
    if (span.kind === "hashtag") return element("span", "preview-tag", span.text);
    return document.createTextNode(span.text);
  }

  /** Draws a preview into a post's `section.preview`; `draft` marks an unsaved edit. */
  function previewView(section) {
    const platform = section.querySelector('[data-role="preview-platform"]');
    const state = section.querySelector('[data-role="preview-state"]');
    const media = section.querySelector('[data-role="preview-media"]');
    const text = section.querySelector('[data-role="preview-text"]');
    const card = section.querySelector('[data-role="preview-card"]');
    const note = section.querySelector('[data-role="preview-note"]');
    const count = section.querySelector('[data-role="preview-count"]');
    let expanded = false;

    function drawText(preview) {
      const nodes = preview.shown.map(spanNode);
      // Mastodon shows a post's content warning in place of its text (all of it folded).
      if (preview.content_warning) {
        nodes.unshift(element("span", "preview-cw", preview.content_warning));
      }
      if (preview.folded.length) {
        const rest = element("span", "preview-rest");
        rest.append(...preview.folded.map(spanNode));
        rest.hidden = !expanded;
        const more = element("button", "preview-more", expanded ? LESS_LABEL : preview.more_label);
        more.type = "button";
        more.setAttribute("aria-expanded", String(expanded));
        more.addEventListener("click", () => {
          expanded = !expanded;
          rest.hidden = !expanded;
          more.textContent = expanded ? LESS_LABEL : preview.more_label;
          more.setAttribute("aria-expanded", String(expanded));
        });
        nodes.push(rest, more);
      }
      text.replaceChildren(...nodes);
    }

    function drawMedia(preview, altText) {
      media.hidden = !preview.media;
      if (!preview.media) return;
      const alt = altText || preview.media.alt_text;
      media.replaceChildren(
        element("span", "preview-media-label", "Image"),
        element("span", "preview-media-alt", alt ? `Alt text: ${alt}` : "No alt text yet"),
      );
    }

    function cardNodes(linkCard) {
      const words = element("span", "preview-card-words");
      const url = element("span", "preview-card-url", linkCard.url);
      url.title = linkCard.url;
      words.append(element("span", "preview-card-host", linkCard.host), url);
      return [element("span", "preview-card-image"), words];
    }

    function drawCard(preview) {
      // A thread's cards are drawn with its posts.
      card.hidden = !preview.link_card || preview.thread.length > 0;
      if (card.hidden) return;
      card.replaceChildren(...cardNodes(preview.link_card));
    }

    /** A thread (X, Bluesky): each post as the platform shows it, a reply under the one before,
     * with its own link card and count. */
    function drawThread(preview) {
      const total = preview.thread.length;
      text.replaceChildren(
        ...preview.thread.map((post, index) => {
          const node = element("div", "preview-thread-post");
          const counted = element("span", "preview-thread-count",
            `${post.length} / ${post.limit}`);
          counted.classList.toggle("over", post.length > post.limit);
          node.append(element("span", "preview-thread-index", `${index + 1}/${total}`), counted,
            element("div", "preview-thread-text"));
          node.lastChild.append(...post.shown.map(spanNode), ...post.folded.map(spanNode));
          if (post.link_card) {
            node.append(element("div", "preview-card"));
            node.lastChild.append(...cardNodes(post.link_card));
          }
          return node;
        }),
      );
    }

    return {
      show(preview, { draft = false, altText = null } = {}) {
        section.dataset.platform = preview.platform;
        section.classList.toggle("draft", draft);
        platform.textContent = preview.label;
        state.textContent = draft ? "preview of your edit" : "preview";
        drawMedia(preview, altText);
        if (preview.thread.length) drawThread(preview);
        else drawText(preview);
        drawCard(preview);
        note.hidden = !preview.link_note;
        note.textContent = preview.link_note || "";
        const counted = `${preview.length} / ${preview.limit} ${preview.unit_label}`;
        count.textContent = preview.thread.length
          ? `A thread of ${preview.thread.length} posts; the longest is ${counted}`
          : counted;
        count.classList.toggle("over", preview.length > preview.limit);
      },
    };
  }

  function wire(article) {
    const postId = article.dataset.postId;
    const unitLabel = article.dataset.unitLabel;
    const actions = article.querySelector(".actions");
    const approveButton = article.querySelector('[data-action="approve"]');
    const editButton = article.querySelector('[data-action="edit"]');
    const rejectButton = article.querySelector('[data-action="reject"]');
    const view = previewView(article.querySelector("section.preview"));
    const editor = article.querySelector("form.editor");
    const textarea = editor.querySelector("textarea");
    let saved = null; // the saved text's preview, once the server has sent it
    let savedText = textarea.value;
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

    function showSaved(preview) {
      saved = preview;
      view.show(preview);
    }

    /** The preview of the editor's text: an unsaved edit once it differs from the saved text. */
    function showDraft(preview, text) {
      if (!preview) return;
      const altText = saved && saved.media ? saved.media.alt_text : null;
      view.show(preview, { draft: text !== savedText, altText });
    }

    function closeEditor() {
      window.clearTimeout(timer);
      sequence++; // a measure still on its way must not redraw the preview
      if (saved) view.show(saved);
      editor.hidden = true;
      editButton.setAttribute("aria-expanded", "false");
    }

    function renderCheck(result, text) {
      showDraft(result.preview, text);
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
      if (lastCheck && lastCheck.text === text) {
        renderCheck(lastCheck.result, text);
        return lastCheck.result;
      }
      const mine = ++sequence;
      const result = await api("POST", "/api/posts/measure", { post_id: postId, content: text });
      if (mine === sequence) {
        lastCheck = { text, result };
        renderCheck(result, text);
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
      rejecter.hidden = true;
      rejectButton.setAttribute("aria-expanded", "false");
      if (!editor.hidden) {
        closeEditor();
        return;
      }
      editor.hidden = false;
      editButton.setAttribute("aria-expanded", "true");
      textarea.focus();
      check().catch((err) => fail(err, editError));
    });

    textarea.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => check().catch((err) => fail(err, editError)), DEBOUNCE_MS);
    });

    editor.querySelector('[data-action="cancel-edit"]').addEventListener("click", () => {
      closeEditor();
      editButton.focus();
    });

    editor.addEventListener("submit", (event) => {
      event.preventDefault();
      run(async () => {
        window.clearTimeout(timer);
        try {
          const result = await check();
          if (!result.ok) {
            renderCheck(result, textarea.value);
            textarea.focus();
            announce("Not saved: " + result.violations.map((v) => v.message).join(" "));
            return;
          }
          const answer = await api("PATCH", "/api/posts/" + encodeURIComponent(postId), { content: textarea.value });
          savedText = answer.post.content;
          if (answer.post.preview) showSaved(answer.post.preview);
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
      if (!editor.hidden) closeEditor();
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

    return { postId, showSaved };
  }

  /** The previews of this page's posts, in one request for the same page of the queue. Until
      it answers (or if it fails) each post shows its text as written and its count. */
  async function loadPreviews(posts) {
    if (!posts.size) return;
    const query = new URLSearchParams({
      book_id: queue.dataset.bookId,
      status: "pending_approval",
      limit: String(Math.min(posts.size, 200)),
    });
    if (queue.dataset.cursor) query.set("cursor", queue.dataset.cursor);
    try {
      const answer = await api("GET", "/api/posts?" + query.toString());
      for (const post of answer.posts) {
        const wired = posts.get(post.id);
        if (wired && post.preview) wired.showSaved(post.preview);
      }
    } catch (err) {
      // The text as written stays: the preview is an aid, not a step of approving.
    }
  }

  const posts = new Map();
  for (const article of queue.querySelectorAll("article.post")) {
    const wired = wire(article);
    posts.set(wired.postId, wired);
  }
  loadPreviews(posts);
})();
