// A worker that never answers (issue #20's pool test): the subscriber's verification pool must
// give it up after its timeout and verify its messages in the core.
self.onmessage = () => {};
