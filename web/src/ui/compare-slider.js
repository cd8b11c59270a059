// Before/after: the cut-out is clipped at a split the person moves with a range input (keyboard
// friendly by nature); the position lives in a CSS custom property, as the CSP allows.

export function initCompare(stage, range) {
  const apply = () => stage.style.setProperty('--split', `${range.value}%`);
  range.addEventListener('input', apply);
  apply();
  return {
    set(value) {
      range.value = String(value);
      apply();
    },
  };
}
