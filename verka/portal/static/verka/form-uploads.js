// Shared by every page that shows a form-js form with file pickers (e-service steps, tasks on
// My pages): form-js keeps picked files in the browser and puts a "files::…" reference in the
// data; each file is uploaded to the page's upload URL and the reference is replaced by the
// stored documents' references, which the server then checks again.
(function () {
  "use strict";

  function uploadFiles(data, files, uploadUrl, csrf) {
    var uploads = [];
    Object.keys(data).forEach(function (key) {
      var value = data[key];
      if (typeof value !== "string" || value.indexOf("files::") !== 0 || !files || !files.get) { return; }
      var picked = files.get(value) || [];
      uploads.push(Promise.all(picked.map(function (file) {
        var body = new FormData();
        body.append("field", key);
        body.append("file", file);
        return fetch(uploadUrl, {
          method: "POST",
          headers: { "X-CSRFToken": csrf },
          credentials: "same-origin",
          body: body
        }).then(function (response) {
          return response.json().then(function (json) {
            if (!response.ok) { throw new Error(json.title || String(response.status)); }
            return json;
          });
        });
      })).then(function (references) { data[key] = references; }));
    });
    return Promise.all(uploads).then(function () { return data; });
  }

  window.VerkaFormUploads = { uploadFiles: uploadFiles };
}());
