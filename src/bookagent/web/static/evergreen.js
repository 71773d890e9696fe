/* The schedule's evergreen buttons: mark a published post evergreen (PUT
   /api/posts/<id>/evergreen), so the agent queues it again after the cool-down, or stop
   (DELETE). The button's pressed state is the post's mark; an error is shown next to it. */
"use strict";

(function () {
  const { api, announce, showError, clearError } = window.bookagent;

  function label(on) {
    return on ? "Evergreen: stop repeating" : "Mark evergreen";
  }

  for (const button of document.querySelectorAll("button[data-evergreen-post]")) {
    const postId = button.dataset.evergreenPost;
    const errorBox = document.getElementById(button.getAttribute("aria-describedby") || "");
    button.addEventListener("click", async () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      button.disabled = true;
      if (errorBox) clearError(errorBox);
      try {
        const body = await api(on ? "PUT" : "DELETE", `/api/posts/${encodeURIComponent(postId)}/evergreen`);
        const marked = Boolean(body.post.evergreen);
        button.setAttribute("aria-pressed", String(marked));
        button.textContent = label(marked);
        announce(marked ? "Marked evergreen: the agent will queue it again after the cool-down." : "No longer evergreen.");
      } catch (err) {
        if (errorBox) showError(errorBox, err);
      } finally {
        button.disabled = false;
      }
    });
  }
})();
