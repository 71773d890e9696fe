/* Reports: queue a weekly report and open it when written; fit the framed report to its height. */
"use strict";

(function () {
  const { api, announce, followTask, showError, clearError } = window.bookagent;

  const form = document.getElementById("report-form");
  if (form) {
    const button = document.getElementById("report-button");
    const box = document.getElementById("report-progress-box");
    const bar = document.getElementById("report-progress");
    const status = document.getElementById("report-status");
    const errorBox = document.getElementById("report-error");
    let running = false;

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (running) return;
      running = true;
      clearError(errorBox);
      button.setAttribute("aria-disabled", "true");
      box.hidden = false;
      bar.value = 0;
      status.textContent = "Queued…";
      try {
        const answer = await api("POST", "/api/reports/weekly", {
          book_id: form.dataset.bookId,
          week_start: form.elements.week_start.value,
        });
        const final = await followTask(answer.task_id, (task) => {
          bar.value = task.progress.percent;
          status.textContent = `${Math.round(task.progress.percent)}% ${task.progress.message || task.status.toLowerCase()}`;
        });
        if (final.status !== "SUCCESS") {
          const why = final.error ? final.error.message : final.status.toLowerCase();
          throw new window.bookagent.ApiError(0, { error: `The report was not written: ${why}` });
        }
        bar.value = 100;
        status.textContent = "100% The report is written. Opening it…";
        announce("The report is written.");
        window.location.assign("/reports/" + encodeURIComponent(final.result.report_id));
      } catch (err) {
        showError(errorBox, err);
        running = false;
        button.removeAttribute("aria-disabled");
      }
    });
  }

  const frame = document.getElementById("report-frame");
  if (frame) {
    const fit = () => {
      try {
        const doc = frame.contentDocument;
        if (doc && doc.documentElement) {
          frame.style.height = doc.documentElement.scrollHeight + 8 + "px";
        }
      } catch (err) {
        /* not same-origin: keep the stylesheet's height */
      }
    };
    frame.addEventListener("load", () => {
      fit();
      for (const img of frame.contentDocument ? frame.contentDocument.images : []) {
        img.addEventListener("load", fit);
      }
    });
    window.addEventListener("resize", fit);
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") fit();
  }
})();
