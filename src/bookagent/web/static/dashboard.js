/* bookagent dashboard: calls to the JSON API with the session cookie and CSRF token, task
   polling, and announcements for screen readers. Every page script builds on `window.bookagent`. */
"use strict";

(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = meta ? meta.content : "";
  const FINISHED = new Set(["SUCCESS", "FAILURE", "REVOKED"]);

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || `The server answered ${status}.`);
      this.status = status;
      this.body = body || {};
      this.details = (body && body.details) || [];
    }
  }

  /** Call the JSON API as the signed-in dashboard user; throws ApiError unless 2xx. A
      FormData body (an upload) goes as multipart/form-data, anything else as JSON. */
  async function api(method, path, body) {
    const init = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken },
    };
    if (body instanceof FormData) {
      init.body = body; // the browser sets the multipart Content-Type with its boundary
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, { error: "The server could not be reached. Check your connection." });
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (response.status === 401) {
      const back = window.location.pathname + window.location.search;
      window.location.assign("/signin?next=" + encodeURIComponent(back));
    }
    if (!response.ok) {
      throw new ApiError(response.status, data);
    }
    return data;
  }

  /** Say `text` through the page's polite live region. */
  function announce(text) {
    const region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(() => { region.textContent = text; }, 60);
  }

  function sleep(ms) {
    return new Promise((resolve) => window.setTimeout(resolve, ms));
  }

  /** Poll a task until it finishes, calling onUpdate with each status document. */
  async function followTask(taskId, onUpdate, intervalMs = 500, timeoutMs = 15 * 60 * 1000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await api("GET", "/api/task-status/" + encodeURIComponent(taskId));
      if (onUpdate) onUpdate(status);
      if (FINISHED.has(status.status)) return status;
      if (Date.now() > deadline) throw new ApiError(0, { error: "The task is taking too long; see the Tasks page." });
      await sleep(intervalMs);
    }
  }

  /** The error's sentence, and its field details, as a list of strings. */
  function errorLines(err) {
    if (!(err instanceof ApiError)) return ["Something went wrong: " + String(err)];
    const lines = err.details.length
      ? err.details.map((d) => (d.field && d.field !== "body" ? `${d.field}: ${d.message}` : d.message))
      : [err.message];
    return lines;
  }

  /** Fill `box` with the lines of an error and show it. */
  function showError(box, err) {
    box.replaceChildren();
    const lines = Array.isArray(err) ? err : errorLines(err);
    if (lines.length === 1) {
      box.textContent = lines[0];
    } else {
      const list = document.createElement("ul");
      for (const line of lines) {
        const item = document.createElement("li");
        item.textContent = line;
        list.append(item);
      }
      box.append(list);
    }
    box.hidden = false;
  }

  function clearError(box) {
    box.replaceChildren();
    box.hidden = true;
  }

  /** A local date and time for an ISO timestamp. */
  function formatTime(iso) {
    if (!iso) return "–";
    return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  /** Build an element with a class and text (never HTML from data). */
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const first = document.querySelector("[data-focus-on-load]");
    if (first) first.focus();
  });

  window.bookagent = { api, announce, followTask, errorLines, showError, clearError, formatTime, element, ApiError };
})();
