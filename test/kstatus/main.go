// kstatus-check prints what sigs.k8s.io/cli-utils' kstatus library (the status model Flux, kpt and
// `kubectl wait`-style tooling read) computes for Kubernetes objects given as JSON on stdin: one object, or a
// List (`items`). One JSON line per object: {"name","namespace","kind","status","message","conditions"}.
// Used by the operator integration tests to check MyRAGDB status against the library itself, not a re-implementation.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kjson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type verdict struct {
	Name       string             `json:"name"`
	Namespace  string             `json:"namespace,omitempty"`
	Kind       string             `json:"kind"`
	Status     string             `json:"status"`
	Message    string             `json:"message"`
	Conditions []status.Condition `json:"conditions"`
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("read stdin: %v", err)
	}
	var object map[string]interface{}
	// The apimachinery decoder keeps integers as int64, as kstatus' accessors expect (encoding/json gives float64).
	if err := kjson.Unmarshal(input, &object); err != nil {
		fail("stdin is not a JSON object: %v", err)
	}
	objects := []map[string]interface{}{object}
	if items, isList := object["items"].([]interface{}); isList {
		objects = objects[:0]
		for index, item := range items {
			entry, ok := item.(map[string]interface{})
			if !ok {
				fail("items[%d] is not an object", index)
			}
			objects = append(objects, entry)
		}
	}
	encoder := json.NewEncoder(os.Stdout)
	for _, entry := range objects {
		u := &unstructured.Unstructured{Object: entry}
		result, err := status.Compute(u)
		if err != nil {
			fail("compute status of %s/%s: %v", u.GetNamespace(), u.GetName(), err)
		}
		conditions := result.Conditions
		if conditions == nil {
			conditions = []status.Condition{}
		}
		if err := encoder.Encode(verdict{
			Name:       u.GetName(),
			Namespace:  u.GetNamespace(),
			Kind:       u.GetKind(),
			Status:     string(result.Status),
			Message:    result.Message,
			Conditions: conditions,
		}); err != nil {
			fail("write: %v", err)
		}
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "kstatus-check: "+format+"\n", args...)
	os.Exit(2)
}
