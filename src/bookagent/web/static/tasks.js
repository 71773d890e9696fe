/* The tasks page: keep the active list current (progress bars updated in place, so keyboard
   focus stays put) and revoke tasks. */
"use strict";

(function () {
  const { api, announce, element } = window.bookagent;
  const list = document.getElementById("active-tasks");
  if (!list) return;
  const empty = document.getElementById("active-empty");
  const POLL_MS = 2000;

  function label(name) {
    const text = name.replace(/^bookagent\./, "").replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function progressText(p) {
    const of = p.total ? ` (${p.current} of ${p.total})` : "";
    return `${Math.round(p.percent)}%${of}${p.message ? ": " + p.message : ""}`;
  }

  function update(row, task) {
    const badge = row.querySelector('[data-role="status"]');
    badge.textContent = task.status;
    badge.className = "badge status-" + task.status.toLowerCase();
    const bar = row.querySelector('[data-role="progress"]');
    bar.value = task.progress.percent;
    bar.textContent = Math.round(task.progress.percent) + "%";
    row.querySelector('[data-role="progress-text"]').textContent = progressText(task.progress);
  }

  function build(task) {
    const row = element("li", "task card");
    row.id = "task-" + task.task_id;
    row.dataset.taskId = task.task_id;
    const title = element("h3", "task-title", label(task.name) + " ");
    title.append(element("span", "muted task-id", task.task_id));
    const line = element("p");
    line.append(element("span", "badge", task.status));
    line.firstChild.dataset.role = "status";
    const barLabel = element("label", "progress-label", "Progress");
    barLabel.htmlFor = "progress-" + task.task_id;
    const bar = element("progress");
    bar.id = "progress-" + task.task_id;
    bar.max = 100;
    bar.dataset.role = "progress";
    const text = element("p", "progress-text");
    text.dataset.role = "progress-text";
    const revoke = element("button", "danger", "Revoke");
    revoke.type = "button";
    revoke.dataset.action = "revoke";
    revoke.setAttribute("aria-describedby", row.id);
    row.append(title, line, barLabel, bar, text, revoke);
    update(row, task);
    return row;
  }

  function capitalize(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
  }

  function showRejections(row, result) {
    // The drafts a generation dropped, with the checks' reasons (as the page renders them).
    const rejected = result && Array.isArray(result.rejected) ? result.rejected : [];
    if (!rejected.length || row.querySelector('[data-role="rejections"]')) return;
    const box = element("div", "warning rejections");
    box.dataset.role = "rejections";
    const n = rejected.length;
    const head = element("p");
    head.append(element("strong", "", `${n} draft${n === 1 ? "" : "s"} rejected by the checks`));
    if (typeof result.count === "number") head.append(`; ${result.count} post${result.count === 1 ? "" : "s"} kept`);
    head.append(".");
    const list = element("ul", "rejection-list");
    for (const draft of rejected) {
      const item = element("li");
      const kind = draft.post_type ? " · " + draft.post_type.replace(/_/g, " ") : "";
      item.append(element("strong", "", capitalize(draft.platform) + kind), ": not kept because");
      const reasons = element("ul");
      const violations = draft.violations && draft.violations.length ? draft.violations : [{ message: draft.reason }];
      for (const v of violations) reasons.append(element("li", "", v.message));
      item.append(reasons);
      list.append(item);
    }
    box.append(head, list);
    row.querySelector('[data-role="progress-text"]').after(box);
  }

  async function settle(row) {
    // The task left the active list: show how it ended, and drop its revoke button.
    const id = row.dataset.taskId;
    try {
      const task = await api("GET", "/api/task-status/" + encodeURIComponent(id));
      update(row, task);
      showRejections(row, task.result);
    } catch (err) {
      row.querySelector('[data-role="status"]').textContent = "Finished";
    }
    const button = row.querySelector('[data-action="revoke"]');
    if (button) {
      const hadFocus = document.activeElement === button;
      button.remove();
      if (hadFocus) {
        row.tabIndex = -1;
        row.focus();
      }
    }
    row.dataset.settled = "true";
  }

  let refreshing = false;

  async function refresh() {
    if (document.hidden || refreshing) return;
    refreshing = true;
    let answer;
    try {
      answer = await api("GET", "/api/tasks/active");
    } catch (err) {
      return;
    } finally {
      refreshing = false;
    }
    const seen = new Set();
    for (const task of answer.active_tasks) {
      seen.add(task.task_id);
      const row = document.getElementById("task-" + task.task_id);
      if (row && row.parentElement === list) update(row, task);
      else list.append(build(task));
    }
    for (const row of Array.from(list.children)) {
      if (!seen.has(row.dataset.taskId) && !row.dataset.settled) settle(row);
    }
    empty.hidden = list.children.length > 0;
  }

  list.addEventListener("click", async (event) => {
    const button = event.target.closest('[data-action="revoke"]');
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    const row = button.closest("li");
    button.setAttribute("aria-disabled", "true");
    try {
      const answer = await api("POST", "/api/tasks/revoke/" + encodeURIComponent(row.dataset.taskId), { terminate: true });
      const r = answer.result;
      announce(r.terminated ? "Task revoked: it stops at its next step." : "Task revoked: it will not run.");
      // The button has done its job; keep focus on the task while it stops.
      row.tabIndex = -1;
      row.focus();
      button.remove();
      await refresh();
    } catch (err) {
      button.removeAttribute("aria-disabled");
      announce(err.message);
    }
  });

  window.setInterval(refresh, POLL_MS);
})();
