package pubsub

import "errors"

// Sentinel errors.
var (
	// ErrClosed is returned by Publish and Subscribe after Close.
	ErrClosed = errors.New("pubsub: closed")
)
