// The official evaluator behind one function, for measuring a WebAssembly build
// of it (docs/pod-security-engine.md; measure.sh). Not used by the library.

package main

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	kjson "sigs.k8s.io/json"
)

type request struct {
	Version  string                 `json:"version"`
	Template corev1.PodTemplateSpec `json:"template"`
}

type violation struct {
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

type response struct {
	Level      string                 `json:"level,omitempty"`
	Violations map[string][]violation `json:"violations,omitempty"`
	Error      string                 `json:"error,omitempty"`
}

var evaluator policy.Evaluator

func init() {
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic(err)
	}
	evaluator = ev
}

func evaluate(in []byte) []byte {
	var req request
	if err := kjson.UnmarshalCaseSensitivePreserveInts(in, &req); err != nil {
		out, _ := json.Marshal(response{Error: err.Error()})
		return out
	}
	v, err := api.ParseVersion(req.Version)
	if err != nil {
		out, _ := json.Marshal(response{Error: err.Error()})
		return out
	}
	res := response{Violations: map[string][]violation{}}
	for _, l := range []api.Level{api.LevelBaseline, api.LevelRestricted} {
		vs := []violation{}
		for _, r := range evaluator.EvaluatePod(api.LevelVersion{Level: l, Version: v}, &req.Template.ObjectMeta, &req.Template.Spec) {
			if !r.Allowed {
				vs = append(vs, violation{r.ForbiddenReason, r.ForbiddenDetail})
			}
		}
		res.Violations[string(l)] = vs
	}
	switch {
	case len(res.Violations["restricted"]) == 0:
		res.Level = "restricted"
	case len(res.Violations["baseline"]) == 0:
		res.Level = "baseline"
	default:
		res.Level = "privileged"
	}
	out, _ := json.Marshal(res)
	return out
}
