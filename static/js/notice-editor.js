/* The staff notice editor (templates/catalog/staff_notice_edit.html), loaded only there.
 * Everything works without it: the body is a plain textarea, attachments a file input.
 * With it: the Jodit rich-text editor on the body (toolbar limited to what
 * catalog/sanitize.py keeps; the server sanitises anyway), the 发文字号 suggestions,
 * drag and drop of attachments and an upload progress bar. */
(function () {
  "use strict";

  var form = document.getElementById("notice-form");
  if (!form) return;

  // --- 正文: Jodit ------------------------------------------------------------------
  var editors = [];
  var area = form.querySelector("textarea.rich-text");
  if (area && window.Jodit) {
    var editor = window.Jodit.make(area, {
      language: "zh_cn",
      iframe: false,
      // a 审核人 without the 管理员 role reads the body (the textarea is disabled)
      readonly: area.disabled,
      // the public page's body style (static/css/site.css .article-body) inside the editor
      editorClassName: "article-body",
      minHeight: 360,
      toolbarAdaptive: false,
      // the toolbar's buttons are in the tab order (keyboard users, screen readers)
      allowTabNavigation: true,
      toolbarSticky: false,
      showCharsCounter: false,
      showWordsCounter: false,
      showXPathInStatusbar: false,
      askBeforePasteHTML: false,
      askBeforePasteFromWord: false,
      defaultActionOnPaste: "insert_clear_html",
      // for Word/Excel HTML Jodit's "Clean" choice is insert_as_text (its cleanFromWord:
      // structure kept, styles, classes and Office markup dropped); insert_clear_html is
      // not one of its Word actions and would paste the Word markup as it is
      defaultActionOnPasteFromWord: "insert_as_text",
      // keep structure (headings, lists, tables), drop every style and class
      cleanHTML: {
        fillEmptyParagraph: false,
        removeEmptyElements: true,
        denyTags: "script,style,font,iframe,object,embed,form,input,button,video,audio,svg",
      },
      disablePlugins: "about,ai-assistant,speech-recognize,video,file,image,image-processor,image-properties,iframe,print,powered-by-jodit,spellcheck,stat,xpath",
      // the source view is a plain textarea: no Ace editor, no js-beautify from a CDN
      // (the CSP allows scripts from this site only)
      sourceEditor: "area",
      beautifyHTML: false,
      sourceEditorCDNUrlsJS: [],
      beautifyHTMLCDNUrlsJS: [],
      buttons: [
        "paragraph", "|", "bold", "italic", "|", "ul", "ol", "|",
        "table", "link",
        // images are uploaded as attachments of the notice (the dialog below)
        { name: "insertImage", icon: "image", tooltip: "插入图片", exec: function (ed) { openImageDialog(ed); } },
        "|", "undo", "redo", "|", "eraser", "source", "fullsize"
      ],
      controls: {
        // no list-style dropdowns (the sanitiser drops the style they set): one button each,
        // without a second trigger of the same name for screen readers
        ul: { list: null },
        ol: { list: null },
        paragraph: {
          list: { p: "正文段落", h2: "标题（二级）", h3: "标题（三级）", h4: "标题（四级）", h5: "标题（五级）" }
        }
      },
      link: { noFollowCheckbox: false, openInNewTabCheckbox: false }
    });
    editors.push({ editor: editor, area: area });
    // 格式块's dropdown arrow is a second "button" named like the button itself, which
    // opens the same list: hide the duplicate from screen readers (not in the tab order)
    editor.container.querySelectorAll(".jodit-toolbar-button__trigger").forEach(function (t) {
      t.setAttribute("aria-hidden", "true");
      t.setAttribute("tabindex", "-1");
    });
    // Jodit also puts aria-pressed on the toolbar's list items (role=listitem, where the
    // attribute is not allowed; their <button> carries it properly): take it off again
    if (window.MutationObserver) {
      var unpress = function (el) {
        if (el.getAttribute("role") === "listitem" && el.hasAttribute("aria-pressed")) {
          el.removeAttribute("aria-pressed");
        }
      };
      editor.container.querySelectorAll("[role=listitem][aria-pressed]").forEach(unpress);
      new MutationObserver(function (records) {
        records.forEach(function (r) { unpress(r.target); });
      }).observe(editor.container, { subtree: true, attributes: true, attributeFilter: ["aria-pressed"] });
    }
    // the label of the textarea names the editing area for screen readers
    var label = form.querySelector('label[for="' + area.id + '"]');
    if (label && editor.editor) {
      editor.editor.setAttribute("aria-label", label.textContent.replace(/（必填）/, ""));
      editor.editor.setAttribute("role", "textbox");
      editor.editor.setAttribute("aria-multiline", "true");
    }
  }

  // --- 插入图片: upload as an attachment of the saved notice, insert <img alt> --------------
  function openImageDialog(ed) {
    var dialog = document.getElementById("image-dialog");
    if (!dialog || !dialog.showModal) {
      window.alert("请先保存草稿再插入图片。");
      return;
    }
    ed.s.save();
    dialog.jodit = ed;
    var imageForm = dialog.querySelector("#image-form");
    if (imageForm) {
      imageForm.reset();
      dialog.querySelector("#image-error").textContent = "";
    }
    dialog.showModal();
  }
  var imageDialog = document.getElementById("image-dialog");
  if (imageDialog) {
    var closeDialog = function () {
      imageDialog.close();
      var ed = imageDialog.jodit;
      if (ed) { ed.s.restore(); ed.s.focus(); }
    };
    imageDialog.querySelectorAll("[data-close]").forEach(function (b) {
      b.addEventListener("click", closeDialog);
    });
    imageDialog.addEventListener("cancel", function (e) { e.preventDefault(); closeDialog(); });
    var imageForm = imageDialog.querySelector("#image-form");
    if (imageForm) {
      imageForm.addEventListener("submit", function (e) {
        e.preventDefault();
        var error = imageDialog.querySelector("#image-error");
        var fileInput = imageForm.querySelector("#image-file");
        var altInput = imageForm.querySelector("#image-alt");
        var bar = imageForm.querySelector("progress");
        error.textContent = "";
        if (!fileInput.files.length) { error.textContent = "请选择要插入的图片（JPG 或 PNG）"; fileInput.focus(); return; }
        if (!altInput.value.trim()) { error.textContent = "请填写图片说明（替代文字），读屏软件会朗读它"; altInput.focus(); return; }
        var data = new FormData();
        data.append("image", fileInput.files[0]);
        data.append("alt", altInput.value.trim());
        var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
        var reviewed = form.querySelector('input[name="security_review_confirmed"]');
        if (reviewed && reviewed.checked) data.append("security_review_confirmed", "on");
        var xhr = new XMLHttpRequest();
        xhr.open("POST", imageForm.getAttribute("data-upload-url"));
        if (token) xhr.setRequestHeader("X-CSRFToken", token.value);
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        bar.hidden = false;
        bar.value = 0;
        xhr.upload.addEventListener("progress", function (p) {
          if (p.lengthComputable) bar.value = Math.round((p.loaded / p.total) * 100);
        });
        xhr.addEventListener("load", function () {
          bar.hidden = true;
          var answer = null;
          try { answer = JSON.parse(xhr.responseText); } catch (ignore) { answer = null; }
          if (xhr.status !== 200 || !answer || !answer.src) {
            error.textContent = (answer && answer.error) || "图片未能上传（服务器错误 " + xhr.status + "），请稍后再试";
            return;
          }
          var ed = imageDialog.jodit;
          imageDialog.close();
          ed.s.restore();
          var img = ed.createInside.element("img");
          img.setAttribute("src", answer.src);
          img.setAttribute("alt", answer.alt);
          ed.s.insertNode(img);
          ed.s.focus();
          syncEditors();
          announce("已插入图片“" + answer.alt + "”，图片文件“" + answer.name + "”已作为附件保存。");
        });
        xhr.addEventListener("error", function () {
          bar.hidden = true;
          error.textContent = "网络错误，图片未能上传；请稍后再试";
        });
        xhr.send(data);
      });
    }
  }
  function announce(text) {
    var status = document.getElementById("editor-status");
    if (!status && area) {
      status = document.createElement("p");
      status.id = "editor-status";
      status.className = "help";
      status.setAttribute("role", "status");
      area.parentNode.appendChild(status);
    }
    if (status) status.textContent = text;
  }

  function syncEditors() {
    editors.forEach(function (e) { e.area.value = e.editor.value; });
  }

  // --- 发文字号 suggestions: fill on click -------------------------------------------
  form.querySelectorAll("button[data-fill]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = form.querySelector(button.getAttribute("data-fill"));
      if (target) { target.value = button.getAttribute("data-value"); target.focus(); }
    });
  });

  // --- attachments: drag and drop, list, progress -------------------------------------
  var zone = form.querySelector(".drop-zone");
  var input = zone && document.getElementById(zone.getAttribute("data-drop-for"));
  var list = zone && zone.querySelector(".drop-list");
  var progress = zone && zone.querySelector(".upload-progress");
  function showFiles() {
    if (!list || !input) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement("li");
      li.textContent = "待上传：" + f.name + "（" + Math.max(1, Math.round(f.size / 1024)) + " KB）";
      list.appendChild(li);
    });
  }
  if (zone && input && window.DataTransfer) {
    zone.querySelector(".drop-hint").hidden = false;
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("dragging"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("dragging");
      var merged = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) { merged.items.add(f); });
      Array.prototype.forEach.call(e.dataTransfer.files, function (f) { merged.items.add(f); });
      input.files = merged.files;
      showFiles();
    });
    input.addEventListener("change", showFiles);
  }

  form.addEventListener("submit", function (e) {
    syncEditors();
    var submitter = e.submitter;
    var previewing = submitter && submitter.getAttribute("formtarget") === "_blank";
    if (previewing || !input || !input.files.length || !window.FormData || !window.XMLHttpRequest) return;
    // upload with a progress bar; the answer replaces the page as a normal submit would
    e.preventDefault();
    var data = new FormData(form, submitter);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    progress.hidden = false;
    xhr.upload.addEventListener("progress", function (p) {
      if (p.lengthComputable) progress.value = Math.round((p.loaded / p.total) * 100);
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL !== window.location.href && xhr.status === 200) {
        window.location.assign(xhr.responseURL);
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      progress.hidden = true;
      window.alert("网络错误，附件未能上传；已填写的内容仍在本页，请稍后再次提交。");
    });
    xhr.send(data);
  });
})();
