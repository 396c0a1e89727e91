// The reply box's files: chosen by the picker, dropped on the box or pasted, listed (pictures
// with a preview) with a button to remove each, and sent as multipart `attachments[]` with
// upload progress. Knows nothing of the thread; conversation.js sends and refreshes.

const csrfToken = () => document.body.dataset.csrfToken || "";

function humanSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** Wires the picker, drop and paste of `form`; returns what the submit handler needs. */
export function setupAttachments(form, { input, attach, list, textarea, progress }) {
  let files = [];

  function render() {
    for (const img of list.querySelectorAll("img")) URL.revokeObjectURL(img.src);
    list.replaceChildren();
    files.forEach((file, index) => {
      const item = document.createElement("li");
      item.className = "reply-attachment";
      item.dataset.fileName = file.name;
      if (file.type.startsWith("image/") && file.type !== "image/svg+xml") {
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = "";
        item.append(img);
      }
      const label = document.createElement("span");
      label.textContent = `${file.name} (${humanSize(file.size)})`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${file.name}`);
      remove.addEventListener("click", () => {
        files.splice(index, 1);
        render();
        textarea.focus();
      });
      item.append(label, remove);
      list.append(item);
    });
    list.hidden = files.length === 0;
    form.dataset.files = String(files.length);
  }

  function add(fileList) {
    for (const file of fileList) files.push(file);
    render();
  }

  input.addEventListener("change", () => {
    add(input.files);
    input.value = "";
  });
  // The picker's label is the keyboard's way in: Enter or Space opens the file chooser.
  attach?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  form.addEventListener("dragover", (event) => {
    if (event.dataTransfer?.types.includes("Files")) {
      event.preventDefault();
      form.classList.add("drop-target");
    }
  });
  form.addEventListener("dragleave", () => form.classList.remove("drop-target"));
  form.addEventListener("drop", (event) => {
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    form.classList.remove("drop-target");
    add(event.dataTransfer.files);
  });
  textarea.addEventListener("paste", (event) => {
    const pasted = [...(event.clipboardData?.files || [])];
    if (pasted.length === 0) return;
    event.preventDefault();
    add(pasted);
  });

  return {
    count: () => files.length,
    clear() {
      files = [];
      render();
    },
    /** Posts `fields` and the files as multipart with XHR (for upload progress); resolves to
     * { ok, status, data } like api.js's `request`. */
    send(url, fields) {
      const body = new FormData();
      for (const [name, value] of Object.entries(fields)) body.append(name, String(value));
      for (const file of files) body.append("attachments[]", file, file.name);
      return new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open("POST", url);
        xhr.setRequestHeader("accept", "application/json");
        xhr.setRequestHeader("x-csrf-token", csrfToken());
        progress.value = 0;
        progress.hidden = false;
        xhr.upload.addEventListener("progress", (event) => {
          if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
        });
        const done = (status, text) => {
          progress.hidden = true;
          let data = null;
          try {
            data = text ? JSON.parse(text) : null;
          } catch {
            data = { message: text };
          }
          resolve({ ok: status >= 200 && status < 300, status, data });
        };
        xhr.addEventListener("load", () => done(xhr.status, xhr.responseText));
        xhr.addEventListener("error", () =>
          done(0, JSON.stringify({ message: "Network error: the server could not be reached." })));
        xhr.send(body);
      });
    },
  };
}
