// Small progressive enhancements; every page works without them.
"use strict";

// Formsets: "Add another" clones the empty form template and bumps TOTAL_FORMS.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const prefix = button.dataset.formsetAdd;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById(`${prefix}-empty`);
  const list = document.getElementById(`${prefix}-rows`);
  if (!total || !template || !list) return;
  const index = Number(total.value);
  const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__number__", String(index + 1));
  list.insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
  const first = list.lastElementChild && list.lastElementChild.querySelector("input, select, textarea");
  if (first) first.focus();
});

// Buttons that ask before a destructive action (data-confirm="...").
document.addEventListener("submit", (event) => {
  const submitter = event.submitter;
  const message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
