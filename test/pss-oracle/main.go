// Command pss-oracle evaluates Kubernetes objects against the Pod Security
// Standards using the official evaluator from k8s.io/pod-security-admission.
//
// Input (stdin): a JSON array of Kubernetes objects (a single object is also
// accepted). An element may instead be a wrapper
//
//	{"object": {...}, "podSpecPath": "/json/pointer"}
//
// where the RFC 6901 pointer designates either a pod template
// ({"metadata":..., "spec":...}) or a bare pod spec ({"containers": [...]}).
//
// Output (stdout): a JSON array, one result per input element, in order:
//
//	{"index":0,"kind":"Pod","name":"x","level":"baseline",
//	 "violations":{"baseline":[],"restricted":[{"check":"runAsNonRoot","reason":"...","detail":"..."}]}}
//
// "check" is the id of the failing check (policy.Check.ID). The official
// evaluator does not return ids, so the oracle evaluates twice: with
// policy.DefaultChecks() as they are, and with the same checks whose
// CheckPod functions are wrapped to record their id; the two results must be
// identical, and the ids come from the second.
//
// With -list-checks it prints policy.DefaultChecks() instead: every check's
// id, level and version gates (minimum version and overridden checks).
//
// "level" is the strictest of restricted > baseline > privileged whose
// evaluation at -version allows the pod template. Each violations list is the
// full set of failing checks reported for that level (the restricted list
// therefore repeats baseline failures, exactly as admission would report them).
// Objects without a usable pod template get "level": null and "error".
// "warnings" lists unknown/duplicate fields found while decoding (typos in
// manifests would otherwise be silently ignored by the evaluation).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	kjson "sigs.k8s.io/json"
)

// Violation is one failing check.
type Violation struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// Violations per evaluated level.
type Violations struct {
	Baseline   []Violation `json:"baseline"`
	Restricted []Violation `json:"restricted"`
}

// Result is the per-object output record.
type Result struct {
	Index      int         `json:"index"`
	Kind       string      `json:"kind"`
	Name       string      `json:"name"`
	Namespace  string      `json:"namespace,omitempty"`
	Level      *string     `json:"level"`
	Violations *Violations `json:"violations"`
	Error      string      `json:"error,omitempty"`
	Warnings   []string    `json:"warnings,omitempty"`
}

// Oracle wraps the official evaluator at a fixed policy version.
type Oracle struct {
	evaluator policy.Evaluator
	// traced is the same evaluator over the same checks, each CheckPod
	// wrapped to append its check's id to calls.
	traced  policy.Evaluator
	calls   []policy.CheckID
	version api.Version
}

// NewOracle builds an evaluator with the default (versioned) checks.
func NewOracle(version string) (*Oracle, error) {
	v, err := api.ParseVersion(version)
	if err != nil {
		return nil, fmt.Errorf("invalid version %q: %w", version, err)
	}
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return nil, err
	}
	o := &Oracle{evaluator: ev, version: v}
	checks := policy.DefaultChecks()
	for i := range checks {
		id := checks[i].ID
		for j := range checks[i].Versions {
			run := checks[i].Versions[j].CheckPod
			checks[i].Versions[j].CheckPod = func(m *metav1.ObjectMeta, s *corev1.PodSpec) policy.CheckResult {
				o.calls = append(o.calls, id)
				return run(m, s)
			}
		}
	}
	if o.traced, err = policy.NewEvaluator(checks, nil); err != nil {
		return nil, err
	}
	return o, nil
}

// CheckInfo describes one check of policy.DefaultChecks() for -list-checks.
type CheckInfo struct {
	ID       string        `json:"id"`
	Level    string        `json:"level"`
	Versions []VersionInfo `json:"versions"`
}

// VersionInfo is one versioned implementation of a check.
type VersionInfo struct {
	MinimumVersion string   `json:"minimumVersion"`
	Overrides      []string `json:"overrides"`
}

// ListChecks returns every default check with its version gates.
func ListChecks() []CheckInfo {
	var out []CheckInfo
	for _, c := range policy.DefaultChecks() {
		info := CheckInfo{ID: string(c.ID), Level: string(c.Level)}
		for _, v := range c.Versions {
			overrides := []string{}
			for _, id := range v.OverrideCheckIDs {
				overrides = append(overrides, string(id))
			}
			info.Versions = append(info.Versions, VersionInfo{MinimumVersion: v.MinimumVersion.String(), Overrides: overrides})
		}
		out = append(out, info)
	}
	return out
}

// podTemplatePointers maps known kinds to the JSON pointer of their pod template.
// "" means the object itself is the template (metadata + spec).
var podTemplatePointers = map[string]string{
	"Pod":                   "",
	"Deployment":            "/spec/template",
	"StatefulSet":           "/spec/template",
	"DaemonSet":             "/spec/template",
	"ReplicaSet":            "/spec/template",
	"ReplicationController": "/spec/template",
	"Job":                   "/spec/template",
	"CronJob":               "/spec/jobTemplate/spec/template",
	"PodTemplate":           "/template",
}

type header struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

type wrapper struct {
	Object      json.RawMessage `json:"object"`
	PodSpecPath *string         `json:"podSpecPath"`
}

// EvaluateAll evaluates every element of a JSON array (or a single object).
func (o *Oracle) EvaluateAll(input []byte) ([]Result, error) {
	trimmed := bytes.TrimSpace(input)
	var items []json.RawMessage
	if len(trimmed) > 0 && trimmed[0] == '{' {
		items = []json.RawMessage{trimmed}
	} else if err := json.Unmarshal(trimmed, &items); err != nil {
		return nil, fmt.Errorf("input must be a JSON array of objects: %w", err)
	}
	results := make([]Result, 0, len(items))
	for i, raw := range items {
		r := o.Evaluate(raw)
		r.Index = i
		results = append(results, r)
	}
	return results, nil
}

// Evaluate evaluates one element (object or wrapper).
func (o *Oracle) Evaluate(raw json.RawMessage) Result {
	var res Result
	fail := func(format string, args ...any) Result {
		res.Level = nil
		res.Violations = nil
		res.Error = fmt.Sprintf(format, args...)
		return res
	}

	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil || generic == nil {
		return fail("element is not a JSON object")
	}

	obj := raw
	var pointer *string
	if _, isWrapper := generic["podSpecPath"]; isWrapper {
		var w wrapper
		if err := json.Unmarshal(raw, &w); err != nil {
			return fail("invalid wrapper: %v", err)
		}
		if w.PodSpecPath == nil {
			return fail("wrapper: podSpecPath must be a string")
		}
		if len(w.Object) == 0 {
			return fail(`wrapper: missing "object"`)
		}
		obj, pointer = w.Object, w.PodSpecPath
		generic = nil
		if err := json.Unmarshal(obj, &generic); err != nil || generic == nil {
			return fail("wrapper: object is not a JSON object")
		}
	}

	var h header
	_ = json.Unmarshal(obj, &h)
	res.Kind, res.Name, res.Namespace = h.Kind, h.Metadata.Name, h.Metadata.Namespace

	ptr := "/spec/template"
	if pointer != nil {
		ptr = *pointer
	} else if p, known := podTemplatePointers[h.Kind]; known {
		ptr = p
	}

	target, err := resolvePointer(generic, ptr)
	if err != nil {
		return fail("no pod template for kind %q at %q: %v", h.Kind, ptr, err)
	}
	targetMap, ok := target.(map[string]any)
	if !ok {
		return fail("no pod template for kind %q at %q: not an object", h.Kind, ptr)
	}

	var tmpl corev1.PodTemplateSpec
	var warnings []string
	_, hasSpec := targetMap["spec"]
	_, hasContainers := targetMap["containers"]
	if hasSpec || ptr == "" {
		warnings, err = decodeInto(targetMap, &tmpl, true)
	} else if hasContainers {
		warnings, err = decodeInto(targetMap, &tmpl.Spec, false)
	} else {
		return fail("no pod template for kind %q at %q: neither a pod template (spec) nor a pod spec (containers)", h.Kind, ptr)
	}
	if err != nil {
		return fail("cannot decode pod template at %q: %v", ptr, err)
	}
	if len(tmpl.Spec.Containers) == 0 && len(tmpl.Spec.InitContainers) == 0 && len(tmpl.Spec.EphemeralContainers) == 0 {
		return fail("pod template at %q has no containers", ptr)
	}
	res.Warnings = warnings

	base, err := o.violations(api.LevelBaseline, &tmpl)
	if err != nil {
		return fail("%v", err)
	}
	restr, err := o.violations(api.LevelRestricted, &tmpl)
	if err != nil {
		return fail("%v", err)
	}
	level := string(api.LevelPrivileged)
	switch {
	case len(restr) == 0:
		level = string(api.LevelRestricted)
	case len(base) == 0:
		level = string(api.LevelBaseline)
	}
	res.Level = &level
	res.Violations = &Violations{Baseline: base, Restricted: restr}
	return res
}

func (o *Oracle) violations(level api.Level, tmpl *corev1.PodTemplateSpec) ([]Violation, error) {
	out := []Violation{}
	lv := api.LevelVersion{Level: level, Version: o.version}
	official := o.evaluator.EvaluatePod(lv, &tmpl.ObjectMeta, &tmpl.Spec)
	o.calls = o.calls[:0]
	traced := o.traced.EvaluatePod(lv, &tmpl.ObjectMeta, &tmpl.Spec)
	if len(traced) != len(official) || len(o.calls) != len(official) {
		return nil, fmt.Errorf("traced evaluation ran %d checks (%d results), the official one %d", len(o.calls), len(traced), len(official))
	}
	for i, r := range official {
		if r != traced[i] {
			return nil, fmt.Errorf("traced evaluation of %s differs: %+v vs %+v", o.calls[i], traced[i], r)
		}
		if !r.Allowed {
			out = append(out, Violation{Check: string(o.calls[i]), Reason: r.ForbiddenReason, Detail: r.ForbiddenDetail})
		}
	}
	return out, nil
}

// decodeInto re-encodes v and decodes it case-sensitively (as the API server
// does) into out. Unknown/duplicate fields are returned as warnings.
// For a bare Pod the top-level kind/apiVersion/status are not part of a
// PodTemplateSpec and are therefore dropped before decoding.
func decodeInto(v map[string]any, out any, isTemplate bool) ([]string, error) {
	if isTemplate {
		v = map[string]any{"metadata": v["metadata"], "spec": v["spec"]}
		if v["metadata"] == nil {
			delete(v, "metadata")
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	strictErrs, err := kjson.UnmarshalStrict(data, out)
	if err != nil {
		return nil, err
	}
	var warnings []string
	for _, e := range strictErrs {
		warnings = append(warnings, e.Error())
	}
	return warnings, nil
}

// resolvePointer resolves an RFC 6901 JSON pointer against decoded JSON.
func resolvePointer(doc any, pointer string) (any, error) {
	if pointer == "" {
		return doc, nil
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil, fmt.Errorf("JSON pointer must start with '/'")
	}
	cur := doc
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("missing field %q", tok)
			}
			cur = next
		case []any:
			idx, err := strconv.Atoi(tok)
			if err != nil || idx < 0 || idx >= len(c) {
				return nil, fmt.Errorf("bad array index %q", tok)
			}
			cur = c[idx]
		default:
			return nil, fmt.Errorf("cannot descend into %q", tok)
		}
	}
	return cur, nil
}

func main() {
	version := flag.String("version", "v1.27", `Pod Security Standards policy version ("v1.x" or "latest")`)
	pretty := flag.Bool("pretty", false, "indent JSON output")
	listChecks := flag.Bool("list-checks", false, "print the default checks with their version gates and exit")
	flag.Parse()

	enc := json.NewEncoder(os.Stdout)
	if *pretty {
		enc.SetIndent("", "  ")
	}
	if *listChecks {
		if err := enc.Encode(ListChecks()); err != nil {
			fmt.Fprintln(os.Stderr, "pss-oracle: writing output:", err)
			os.Exit(1)
		}
		return
	}

	oracle, err := NewOracle(*version)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pss-oracle:", err)
		os.Exit(2)
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pss-oracle: reading stdin:", err)
		os.Exit(1)
	}
	results, err := oracle.EvaluateAll(input)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pss-oracle:", err)
		os.Exit(1)
	}
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "pss-oracle: writing output:", err)
		os.Exit(1)
	}
}
