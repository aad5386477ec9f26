/* Values the server hands to scripts as JSON in a data-* attribute (settings defaults,
   browser speech rates, the shortcut table), so that no script keeps its own copy. */

/** The parsed JSON of `element`'s attribute `name`, or `fallback` when absent or broken. */
export function jsonAttribute(element, name, fallback) {
  try {
    const value = element && element.getAttribute(name);
    return value ? JSON.parse(value) : fallback;
  } catch (error) {
    return fallback;
  }
}
