package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// restrictedSC is a container securityContext that satisfies "restricted" on its own.
const restrictedSC = `{"allowPrivilegeEscalation":false,"runAsNonRoot":true,` +
	`"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"]}}`

func pod(podFields, containerSC string) string {
	c := `{"name":"app","image":"nginx"`
	if containerSC != "" {
		c += `,"securityContext":` + containerSC
	}
	c += `}`
	spec := `"containers":[` + c + `]`
	if podFields != "" {
		spec += "," + podFields
	}
	return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{` + spec + `}}`
}

func evalOne(t *testing.T, version, obj string) Result {
	t.Helper()
	o, err := NewOracle(version)
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.EvaluateAll([]byte("[" + obj + "]"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("want 1 result, got %d", len(res))
	}
	return res[0]
}

func level(r Result) string {
	if r.Level == nil {
		return "<nil>"
	}
	return *r.Level
}

func reasons(vs []Violation) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Reason)
	}
	return strings.Join(out, "; ")
}

func TestLevels(t *testing.T) {
	cases := []struct {
		name, obj, want string
		// substrings expected in the joined restricted / baseline reasons
		restrictedHas, baselineHas []string
	}{
		{name: "no securityContext at all is baseline", obj: pod("", ""), want: "baseline",
			restrictedHas: []string{"allowPrivilegeEscalation != false", "unrestricted capabilities", "runAsNonRoot != true", "seccompProfile"}},
		{name: "fully hardened pod is restricted", obj: pod("", restrictedSC), want: "restricted"},
		{name: "pod-level runAsNonRoot+seccomp also counts", want: "restricted",
			obj: pod(`"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}}`,
				`{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}`)},
		{name: "NET_RAW add is privileged", want: "privileged",
			obj:         pod("", `{"capabilities":{"add":["NET_RAW"]}}`),
			baselineHas: []string{"non-default capabilities"}},
		{name: "SYS_PTRACE add is privileged", want: "privileged",
			obj:         pod("", `{"allowPrivilegeEscalation":false,"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"],"add":["SYS_PTRACE"]}}`),
			baselineHas: []string{"non-default capabilities"}},
		{name: "privileged: true is privileged", want: "privileged",
			obj:         pod("", `{"privileged":true}`),
			baselineHas: []string{"privileged"}},
		{name: "runAsUser 0 with drop ALL is baseline", want: "baseline",
			obj:           pod("", `{"runAsUser":0,"allowPrivilegeEscalation":false,"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"]}}`),
			restrictedHas: []string{"runAsUser=0", "runAsNonRoot != true"}},
		{name: "SETUID/SETGID add + drop ALL + runAsUser 0 is baseline", want: "baseline",
			obj:           pod("", `{"runAsUser":0,"allowPrivilegeEscalation":false,"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"],"add":["SETUID","SETGID"]}}`),
			restrictedHas: []string{"unrestricted capabilities", "runAsUser=0"}},
		{name: "shareProcessNamespace alone has no effect (restricted stays restricted)", want: "restricted",
			obj: pod(`"shareProcessNamespace":true`, restrictedSC)},
		{name: "shareProcessNamespace alone has no effect (default stays baseline)", want: "baseline",
			obj: pod(`"shareProcessNamespace":true`, "")},
		{name: "hostPID is privileged", want: "privileged",
			obj:         pod(`"hostPID":true`, restrictedSC),
			baselineHas: []string{"host namespaces"}},
		{name: "ephemeral container with NET_RAW is privileged", want: "privileged",
			obj: `{"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"app","image":"x","securityContext":` + restrictedSC +
				`}],"ephemeralContainers":[{"name":"dbg","image":"busybox","securityContext":{"capabilities":{"add":["NET_RAW"]}}}]}}`,
			baselineHas: []string{"non-default capabilities"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := evalOne(t, "v1.27", tc.obj)
			if r.Error != "" {
				t.Fatalf("unexpected error: %s", r.Error)
			}
			if got := level(r); got != tc.want {
				t.Fatalf("level = %s, want %s; violations: %+v", got, tc.want, r.Violations)
			}
			rs, bs := reasons(r.Violations.Restricted), reasons(r.Violations.Baseline)
			for _, s := range tc.restrictedHas {
				if !strings.Contains(rs, s) {
					t.Errorf("restricted reasons %q missing %q", rs, s)
				}
			}
			for _, s := range tc.baselineHas {
				if !strings.Contains(bs, s) {
					t.Errorf("baseline reasons %q missing %q", bs, s)
				}
			}
			if tc.want == "restricted" && (len(r.Violations.Restricted) != 0 || len(r.Violations.Baseline) != 0) {
				t.Errorf("restricted pod has violations: %+v", r.Violations)
			}
		})
	}
}

// The policy version matters: hostUsers:false relaxes runAsNonRoot/runAsUser only from v1.35.
func TestVersionIsHonoured(t *testing.T) {
	obj := pod(`"hostUsers":false`, `{"runAsUser":0,"allowPrivilegeEscalation":false,"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"]}}`)
	if got := level(evalOne(t, "v1.27", obj)); got != "baseline" {
		t.Errorf("v1.27: level = %s, want baseline", got)
	}
	if got := level(evalOne(t, "v1.35", obj)); got != "restricted" {
		t.Errorf("v1.35: level = %s, want restricted", got)
	}
	if _, err := NewOracle("1.27"); err == nil {
		t.Error("expected error for malformed version")
	}
}

func TestWorkloadKinds(t *testing.T) {
	tmpl := `{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"app","image":"x","securityContext":{"privileged":true}}]}}`
	objs := []string{
		`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":` + tmpl + `}}`,
		`{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s"},"spec":{"template":` + tmpl + `}}`,
		`{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"ds"},"spec":{"template":` + tmpl + `}}`,
		`{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"rs"},"spec":{"template":` + tmpl + `}}`,
		`{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"template":` + tmpl + `}}`,
		`{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"cj"},"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":` + tmpl + `}}}}`,
		`{"apiVersion":"example.com/v1","kind":"Rollout","metadata":{"name":"unknown-default-path"},"spec":{"template":` + tmpl + `}}`,
		`{"podSpecPath":"/spec/workers/0/template","object":{"kind":"Custom","metadata":{"name":"wrapped-template"},"spec":{"workers":[{"template":` + tmpl + `}]}}}`,
		`{"podSpecPath":"/spec/podSpec","object":{"kind":"Custom","metadata":{"name":"wrapped-podspec"},"spec":{"podSpec":{"containers":[{"name":"a","image":"x","securityContext":{"privileged":true}}]}}}}`,
	}
	o, _ := NewOracle("v1.27")
	res, err := o.EvaluateAll([]byte("[" + strings.Join(objs, ",") + "]"))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Index != i || r.Error != "" || level(r) != "privileged" {
			t.Errorf("%s/%s: index=%d level=%s error=%q", r.Kind, r.Name, r.Index, level(r), r.Error)
		}
	}
}

func TestNoPodTemplate(t *testing.T) {
	o, _ := NewOracle("v1.27")
	res, err := o.EvaluateAll([]byte(`[
		{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc"},"spec":{"ports":[{"port":80}]}},
		{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{}},
		{"podSpecPath":"/nope","object":{"kind":"X","metadata":{"name":"x"}}},
		42
	]`))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Level != nil || r.Violations != nil || r.Error == "" {
			t.Errorf("%s/%s: want null level + error, got level=%s error=%q", r.Kind, r.Name, level(r), r.Error)
		}
	}
	out, _ := json.Marshal(res[0])
	if !strings.Contains(string(out), `"level":null`) || !strings.Contains(string(out), `"kind":"Service","name":"svc"`) {
		t.Errorf("unexpected JSON: %s", out)
	}
}

func TestUnknownFieldWarning(t *testing.T) {
	// A typo ("securityContxt") is ignored by decoding but reported as a warning.
	r := evalOne(t, "v1.27", `{"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","securityContxt":{"privileged":true}}]}}`)
	if level(r) != "baseline" || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "securityContxt") {
		t.Errorf("level=%s warnings=%v", level(r), r.Warnings)
	}
}

func TestSingleObjectAndEmptyArrays(t *testing.T) {
	o, _ := NewOracle("v1.27")
	res, err := o.EvaluateAll([]byte(pod("", restrictedSC)))
	if err != nil || len(res) != 1 {
		t.Fatalf("single object: %v %v", res, err)
	}
	out, _ := json.Marshal(res[0])
	if !strings.Contains(string(out), `"violations":{"baseline":[],"restricted":[]}`) {
		t.Errorf("want empty arrays, got %s", out)
	}
	if _, err := o.EvaluateAll([]byte(`not json`)); err == nil {
		t.Error("want error on malformed input")
	}
}

func checkIDs(vs []Violation) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Check)
	}
	return strings.Join(out, ",")
}

// Each violation names its check, and the version gates decide which checks run.
func TestCheckIDsFollowVersionGates(t *testing.T) {
	probe := pod("", `{"allowPrivilegeEscalation":false,"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"]},"procMount":"Unmasked"}`)
	probe = strings.Replace(probe, `"image":"nginx"`, `"image":"nginx","livenessProbe":{"httpGet":{"host":"10.0.0.1","port":80}}`, 1)
	cases := []struct{ version, baseline, restricted string }{
		{"v1.33", "procMount", "procMount"},
		{"v1.34", "hostProbesAndHostLifecycle,procMount", "hostProbesAndHostLifecycle,procMount"},
		{"v1.35", "hostProbesAndHostLifecycle,procMount", "hostProbesAndHostLifecycle,procMount_restricted"},
		{"latest", "hostProbesAndHostLifecycle,procMount", "hostProbesAndHostLifecycle,procMount_restricted"},
	}
	for _, tc := range cases {
		r := evalOne(t, tc.version, probe)
		if got := checkIDs(r.Violations.Baseline); got != tc.baseline {
			t.Errorf("%s baseline checks = %q, want %q", tc.version, got, tc.baseline)
		}
		if got := checkIDs(r.Violations.Restricted); got != tc.restricted {
			t.Errorf("%s restricted checks = %q, want %q", tc.version, got, tc.restricted)
		}
	}
}

func TestListChecks(t *testing.T) {
	gates := map[string]string{}
	for _, c := range ListChecks() {
		var vs []string
		for _, v := range c.Versions {
			vs = append(vs, v.MinimumVersion)
		}
		gates[c.ID] = c.Level + ":" + strings.Join(vs, ",")
	}
	want := map[string]string{
		"hostProbesAndHostLifecycle": "baseline:v1.34",
		"procMount_restricted":       "restricted:v1.35",
		"sysctls":                    "baseline:v1.0,v1.27,v1.29,v1.32,v1.37",
	}
	for id, w := range want {
		if gates[id] != w {
			t.Errorf("%s: %q, want %q", id, gates[id], w)
		}
	}
	if len(gates) < 19 {
		t.Errorf("want at least 19 checks, got %d", len(gates))
	}
}
