package scimtest

// Dump returns everything h keeps, as text, with the digests of secret
// values: what a Store.Dump of the conformance tests returns.
func Dump(h *MemoryHandler) string { return h.dump() }

// HandlersCase runs the one case of TestHandlers called name.
func HandlersCase(newStore func() (*Store, error), name string) error {
	return testHandlers(newStore, name)
}
