// The appraisal page: "=" in an appraised box accepts the unit's self score as it
// is (one keystroke) and moves to the next box; Enter moves on without saving.
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.classList.contains("appraised")) return;
  if (event.key !== "=" && event.key !== "Enter") return;
  event.preventDefault();
  if (event.key === "=" && box.dataset.self) box.value = box.dataset.self;
  const boxes = [...document.querySelectorAll("input.appraised")];
  const next = boxes[boxes.indexOf(box) + 1];
  if (next) next.focus();
});
