/** The provider token of the app's UpstreamObserver (the metrics); the clients take it when it is there. */
export const UPSTREAM_OBSERVER = Symbol('UPSTREAM_OBSERVER');
