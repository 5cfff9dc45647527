// Which page is showing is the URL's path: pages move by pushing a new one (history API, no router library needed).
// Its own module, so pages can navigate without importing the app shell that imports them.

export function navigate(path: string): void {
  window.history.pushState({}, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}
