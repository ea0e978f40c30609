/// Every page a creator can open, signed out and signed in (the phone-width test and the
/// screenshots walk them all).
export const SIGNED_OUT_PAGES = ["/", "/auth/signin", "/auth/signup", "/no-such-page"];
export const SIGNED_IN_PAGES = [
  "/instagram-auth",
  "/instagram-dashboard",
  "/instagram-calendar",
  "/instagram-calendar?view=week",
  "/instagram-bulk",
  "/instagram-feed",
  "/instagram-media",
  "/instagram-analytics",
  "/dashboard/instagram",
  "/settings/api-tokens",
];

/// A name for a page's path in file names: "/instagram-calendar?view=week" → "instagram-calendar-view-week".
export function pageName(path: string): string {
  return path.replace(/^\//, "").replace(/[^a-z0-9]+/gi, "-").replace(/-$/, "") || "landing";
}
