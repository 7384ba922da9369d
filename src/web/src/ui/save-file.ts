/** Hands a file made or fetched in the page to the browser's downloads under `name`. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Not at once: the browser reads the URL after this click returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
