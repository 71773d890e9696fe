/* The book page's pictures: upload the cover or the author photo (fetch + FormData, with the
   session's CSRF token, to POST /api/books/<id>/assets), show the stored image, remove it. The
   server decodes, cleans and sizes the image; this only sends the file and shows the answer. */
"use strict";

(function () {
  const { api, announce, showError, clearError, element } = window.bookagent;
  const section = document.getElementById("book-assets");
  if (!section) return;
  const bookId = section.dataset.bookId;
  const base = "/api/books/" + encodeURIComponent(bookId) + "/assets";

  function kilobytes(size) {
    return size >= 1000 * 1000 ? `${(size / 1000 / 1000).toFixed(1)} MB` : `${Math.max(1, Math.round(size / 1000))} kB`;
  }

  function wire(box) {
    const kind = box.dataset.kind;
    const label = box.dataset.label;
    const frame = box.querySelector('[data-role="frame"]');
    const facts = box.querySelector('[data-role="facts"]');
    const form = box.querySelector("form.asset-upload");
    const input = form.querySelector('input[type="file"]');
    const fileLabel = form.querySelector(`label[for="${input.id}"]`);
    const error = form.querySelector(".field-error");
    const upload = form.querySelector('button[type="submit"]');
    const remove = form.querySelector('[data-action="remove-asset"]');
    let busy = false;

    /** Show the stored asset (or none): the image, its size, and the buttons that fit. */
    function show(asset) {
      if (asset) {
        const image = element("img");
        // The URL stays when the image is replaced: the key in the query makes it a new one.
        image.src = `${asset.url}?v=${encodeURIComponent(asset.key.slice(0, 12))}`;
        image.alt = `${label} of ${section.dataset.bookTitle}`;
        image.width = asset.width;
        image.height = asset.height;
        frame.replaceChildren(image);
        facts.textContent = `${asset.width} × ${asset.height} px, ${kilobytes(asset.size)}`;
      } else {
        frame.replaceChildren(element("p", "asset-empty", `No ${label.toLowerCase()} yet`));
        facts.textContent = "";
      }
      fileLabel.textContent = `${asset ? "Replace" : "Upload"} the ${label.toLowerCase()}`;
      remove.hidden = !asset;
    }

    async function run(action) {
      if (busy) return;
      busy = true;
      box.setAttribute("aria-busy", "true");
      upload.setAttribute("aria-disabled", "true");
      try {
        await action();
      } finally {
        busy = false;
        box.removeAttribute("aria-busy");
        upload.removeAttribute("aria-disabled");
      }
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run(async () => {
        clearError(error);
        input.removeAttribute("aria-invalid");
        const file = input.files && input.files[0];
        if (!file) {
          showError(error, [`Choose a PNG, JPEG or WebP file for the ${label.toLowerCase()} first.`]);
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        const body = new FormData();
        body.append("kind", kind);
        body.append("file", file);
        try {
          const answer = await api("POST", base, body);
          show(answer.asset);
          form.reset();
          announce(`${label} uploaded.`);
        } catch (err) {
          showError(error, err);
          input.setAttribute("aria-invalid", "true");
          input.focus();
        }
      });
    });

    remove.addEventListener("click", () => run(async () => {
      clearError(error);
      try {
        await api("DELETE", `${base}/${encodeURIComponent(kind)}`);
        show(null);
        announce(`${label} removed.`);
        input.focus();
      } catch (err) {
        showError(error, err);
      }
    }));
  }

  for (const box of section.querySelectorAll(".asset")) wire(box);
})();
