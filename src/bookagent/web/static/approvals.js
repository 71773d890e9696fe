/* The approval queue: each post as its platform will show it (the server's `preview`: the text
   as displayed, the fold, link card, its images or the image placeholder, the count), approve,
   reject with a reason, and edit with a live counter and preview in the platform's unit
   (server-side, debounced). An edit that fails the checks is not saved. A post's images: the
   first large, the rest as thumbnails; their alt text edited, an image removed, or the book's
   cover put in their place (PATCH /api/posts/<id>/media). Post text and alt text are
   untrusted: they only ever reach the page as text nodes and attributes, never as HTML. */
"use strict";

(function () {
  const { api, announce, showError, clearError, formatTime, element } = window.bookagent;
  const queue = document.getElementById("approval-queue");
  if (!queue) return;
  const coverKey = queue.dataset.coverKey || "";
  const DEBOUNCE_MS = 250;
  const LESS_LABEL = "Show less";
  const KIND_LABELS = {
    quote_card: "quote card",
    launch_card: "launch card",
    key_idea_card: "key-idea card",
    cover: "the book’s cover",
    author_photo: "author photo",
  };

  /** An <img> of one of a post's images, its alt text as `alt`. The URL names the post's n-th
      image, which an edit may change: the key in the query makes each image a URL of its own. */
  function imageNode(item, className) {
    const image = element("img", className);
    image.src = `${item.url}?v=${encodeURIComponent(item.key.slice(0, 12))}`;
    image.alt = item.alt_text || "";
    image.width = item.width;
    image.height = item.height;
    image.decoding = "async";
    return image;
  }

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

  /** Draws a preview into a post's `section.preview`; `draft` marks an unsaved edit. The images
      are the post's own (`images()`), whatever text the preview shows. */
  function previewView(section, images, requiresMedia) {
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

    /** The post's first image large and the rest as thumbnails; with none, the placeholder of a
        platform that shows no post without an image. */
    function drawMedia() {
      const items = images();
      media.hidden = !items.length && !requiresMedia;
      media.classList.toggle("has-images", items.length > 0);
      if (!items.length) {
        media.replaceChildren(
          element("span", "preview-media-label", "Image"),
          element("span", "preview-media-alt", `No image yet: ${platform.textContent} needs one.`),
        );
        return;
      }
      const [first, ...rest] = items;
      const nodes = [imageNode(first, "preview-image")];
      if (rest.length) {
        const strip = element("div", "preview-thumbs");
        strip.append(...rest.map((item) => imageNode(item, "preview-thumb")));
        nodes.push(strip);
      }
      media.replaceChildren(...nodes);
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
      drawMedia,
      show(preview, { draft = false } = {}) {
        section.dataset.platform = preview.platform;
        section.classList.toggle("draft", draft);
        platform.textContent = preview.label;
        state.textContent = draft ? "preview of your edit" : "preview";
        drawMedia();
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
    const requiresMedia = article.dataset.requiresMedia === "true";
    let media = JSON.parse(article.dataset.media || "[]");
    const actions = article.querySelector(".actions");
    const approveButton = article.querySelector('[data-action="approve"]');
    const editButton = article.querySelector('[data-action="edit"]');
    const rejectButton = article.querySelector('[data-action="reject"]');
    const view = previewView(article.querySelector("section.preview"), () => media, requiresMedia);
    const imagesSection = article.querySelector("section.images");
    const imageEditor = imagesSection.querySelector("form.image-editor");
    const imageList = imageEditor.querySelector('[data-role="image-list"]');
    const noImages = imageEditor.querySelector('[data-role="no-images"]');
    const imagesError = imageEditor.querySelector(".field-error");
    const saveImagesButton = imageEditor.querySelector('[data-action="save-images"]');
    const useCoverButton = imageEditor.querySelector('[data-action="use-cover"]');
    const problems = imagesSection.querySelector('[data-role="media-problems"]');
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
    let changed = false; // saved here since the page loaded: the page's first fetch is stale
    let timer = null;
    let sequence = 0;
    let lastCheck = null; // {text, result}

    function finish(message) {
      for (const node of [actions, editor, rejecter, imageEditor]) node.hidden = true;
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

    /** What the images break of the platform's rules (none: the box goes away). */
    function showProblems(messages) {
      problems.hidden = !messages.length;
      const list = element("ul");
      list.append(...messages.map((message) => element("li", null, message)));
      problems.replaceChildren(element("p", null, "Not ready to approve:"), list);
    }

    /** One image of the list: its thumbnail, its alt text to edit, and a button to remove it. */
    function imageRow(item, index) {
      const row = element("li", "image-row");
      row.dataset.key = item.key;
      const fields = element("div", "image-fields");
      const id = `${article.id}-alt-${index}`;
      const label = element("label", null, `Alt text of image ${index + 1} (${KIND_LABELS[item.kind] || "image"})`);
      label.htmlFor = id;
      const text = element("textarea");
      text.id = id;
      text.name = "alt_text";
      text.rows = 3;
      text.maxLength = 1000;
      text.value = item.alt_text || "";
      text.setAttribute("aria-describedby", imagesError.id);
      const remove = element("button", "danger", `Remove image ${index + 1}`);
      remove.type = "button";
      remove.dataset.action = "remove-image";
      remove.addEventListener("click", () => editImages(
        { media: keptImages().filter((kept) => kept.key !== item.key) },
        `Image ${index + 1} removed.`,
      ));
      fields.append(label, text, remove);
      row.append(imageNode(item, "image-thumb"), fields);
      return row;
    }

    function drawImages() {
      imageList.replaceChildren(...media.map(imageRow));
      imageList.hidden = !media.length;
      noImages.hidden = media.length > 0;
      saveImagesButton.hidden = !media.length;
      if (useCoverButton) {
        // The cover is on offer until it is the post's one image.
        useCoverButton.hidden = media.length === 1 && media[0].key === coverKey;
      }
    }

    /** The images as the list holds them: each key with the alt text in its box. */
    function keptImages() {
      return Array.from(imageList.querySelectorAll("li.image-row"), (row) => ({
        key: row.dataset.key,
        alt_text: row.querySelector("textarea").value,
      }));
    }

    /** Whether an alt text in the list differs from the saved one. */
    function altTextEdited() {
      return keptImages().some((kept, index) => kept.alt_text.trim() !== (media[index].alt_text || ""));
    }

    /** Send a change of the post's images and show its new images; false if it was refused. */
    async function sendImages(body, message) {
      clearError(imagesError);
      try {
        const answer = await api("PATCH", `/api/posts/${encodeURIComponent(postId)}/media`, body);
        media = answer.post.media;
        changed = true;
        drawImages();
        if (answer.post.preview) showSaved(answer.post.preview);
        else view.drawMedia();
        showProblems([]);
        outcome.textContent = message;
        outcome.classList.remove("error-message");
        outcome.classList.add("ok");
        outcome.hidden = false;
        announce(message);
        return true;
      } catch (err) {
        fail(err, imagesError);
        return false;
      }
    }

    function editImages(body, message) {
      return run(() => sendImages(body, message));
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
      view.show(preview, { draft: text !== savedText });
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
      // Alt text typed but not saved goes out with the post: save it first.
      if (altTextEdited() && !(await sendImages({ media: keptImages() }, "Alt text saved."))) {
        imagesError.scrollIntoView({ block: "nearest" });
        return;
      }
      try {
        const answer = await api("POST", "/api/approve-post", { post_id: postId });
        const when = answer.scheduled_time ? ` Scheduled for ${formatTime(answer.scheduled_time)}.` : "";
        finish(`Approved.${when}`);
      } catch (err) {
        // Refused for its images: say so next to them too, and what to fix.
        const violations = (err.body && err.body.violations) || [];
        if (violations.length) showProblems(violations.map((v) => v.message));
        fail(err);
      }
    }));

    imageEditor.addEventListener("submit", (event) => {
      event.preventDefault();
      editImages({ media: keptImages() }, "Alt text saved.");
    });

    if (useCoverButton) {
      useCoverButton.addEventListener("click", () => editImages(
        { use: "cover" }, "The book’s cover is now the post’s image.",
      ));
    }

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
          changed = true;
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

    drawImages();
    view.drawMedia();
    return {
      postId,
      /** The post as the page's first fetch found it, unless the author changed it since. */
      showLoaded(preview, images) {
        if (changed) return;
        if (images && JSON.stringify(images) !== JSON.stringify(media)) {
          media = images; // redrawn only if they differ: alt text being typed stays
          drawImages();
        }
        showSaved(preview);
      },
    };
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
        if (wired && post.preview) wired.showLoaded(post.preview, post.media);
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
