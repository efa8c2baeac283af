package schema

import (
	"fmt"
	"strconv"
	"strings"
)

func enumString(names []string, v int, typ string) string {
	if v >= 0 && v < len(names) {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(v) + ")"
}

func enumMarshal(names []string, v int, what string) ([]byte, error) {
	if v >= 0 && v < len(names) {
		return []byte(names[v]), nil
	}
	return nil, fmt.Errorf("schema: invalid %s %d", what, v)
}

func enumUnmarshal(names []string, v *int, b []byte, what string) error {
	for i, n := range names {
		if strings.EqualFold(n, string(b)) {
			*v = i
			return nil
		}
	}
	return fmt.Errorf("schema: unknown %s %q", what, b)
}
