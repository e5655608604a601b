import CathammerContract

// The lifecycle vocabulary lives in CathammerContract (the harness writes its client connection
// the same way); these names keep the server's files free of the extra import.
typealias Transition = CathammerContract.Transition
typealias Lifecycle = CathammerContract.Lifecycle
