/**
 * A server action's form argument, read safely. Every server action is a
 * public endpoint: a caller may send any argument (a string, null, an object
 * with its own `get`), not the FormData the page's form sends. Anything that
 * is not FormData reads as an empty form, so the domain function's validation
 * answers it ("Enter a name") instead of a TypeError and a 500.
 */
export function formFields(formData: unknown): (key: string) => string {
  const form = formData instanceof FormData ? formData : null;
  return (key) => {
    const value = form?.get(key);
    // A file where text is expected counts as nothing typed.
    return typeof value === "string" ? value : "";
  };
}
