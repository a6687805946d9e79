// The browser's IANA time zone, the import page's default for files whose times carry no offset.
export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}
