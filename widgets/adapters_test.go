package widgets

import (
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
	"github.com/otlab/gootlab/tutorial"
)

func TestMixtureViewFromOtkit(t *testing.T) {
	gens, err := tutorial.GMMGenerators()
	mustNoErr(t, err)
	x0, lab0, err := gens[0].Sample(rand.New(rand.NewPCG(1, 0)), 400)
	mustNoErr(t, err)
	x1, _, err := gens[1].Sample(rand.New(rand.NewPCG(2, 0)), 300)
	mustNoErr(t, err)
	f, err := MixturePairView(x0, gens[0], x1, gens[1], MixtureOptions{})
	mustNoErr(t, err)
	ss := seriesOf(t, f)
	if len(ss) != 12 {
		t.Fatalf("%d series", len(ss))
	}
	// Labels come from otkit's posterior: for these well-separated
	// components nearly every sample is labelled with the component that
	// drew it.
	d, err := mixtureDataOf(x0, gens[0])
	mustNoErr(t, err)
	agree := 0
	for i, l := range d.labels {
		if l == lab0[i] {
			agree++
		}
	}
	if agree < 380 {
		t.Errorf("only %d of 400 labels match the drawing component", agree)
	}
	// The ellipses are the mixture's own covariances.
	covs, err := gens[0].Covariances()
	if err != nil {
		t.Fatal(err)
	}
	for c := 0; c < 3; c++ {
		if !mat.EqualApprox(d.covs[c], covs[c], 0) {
			t.Errorf("component %d covariance differs", c)
		}
	}
	if _, err := MixtureView(mat.NewDense(3, 3, nil), gens[0], MixtureOptions{}); err == nil {
		t.Error("3-D points: no error")
	}
	if _, err := MixtureView(x0, nil, MixtureOptions{}); err == nil {
		t.Error("nil mixture: no error")
	}
}

func smallFlow(t *testing.T) (*otkit.FlowResult, *mat.Dense) {
	t.Helper()
	x := gaussCloud(11, 8, 0, 0, 0.25)
	y := gaussCloud(12, 10, 3, 0, 0.5)
	obj := otkit.RegOTObjective(y, otkit.PointCloudOptions{Epsilon: 1}, otkit.SinkhornOptions{})
	res, err := otkit.GradientFlow(x, obj, otkit.FlowOptions{Steps: 20, Every: 5})
	mustNoErr(t, err)
	return res, y
}

func TestFlowAnimationFromOtkit(t *testing.T) {
	res, y := smallFlow(t)
	an, err := FlowAnimation(res.Frames, "Reg OT Cost", nil, AnimationOptions{FrameRate: 1})
	mustNoErr(t, err)
	if an.Len() != len(res.Frames) {
		t.Fatalf("%d frames, want %d", an.Len(), len(res.Frames))
	}
	for i, title := range an.Titles() {
		f := res.Frames[i]
		want := "Iter = " + itoa(f.Step) + ", Reg OT Cost: " + fmtFloat5(f.Value)
		if title != want {
			t.Errorf("frame %d title %q, want %q", i, title, want)
		}
	}
	// With lines: each frame carries its own coupling.
	opts, err := an.frameOptions("id")
	mustNoErr(t, err)
	seg := opts[0]["series"]
	if !strings.Contains(mustJSON(t, seg), `"lines"`) {
		t.Errorf("frame 0 has no coupling lines")
	}
	// Out-of-order frames are an error.
	fr := append([]otkit.FlowFrame(nil), res.Frames...)
	fr[1], fr[2] = fr[2], fr[1]
	if _, err := FlowAnimation(fr, "v", y, AnimationOptions{}); err == nil || !strings.Contains(err.Error(), "order") {
		t.Errorf("out of order: %v", err)
	}
	if _, err := FlowAnimation(nil, "v", y, AnimationOptions{}); err == nil {
		t.Error("no frames: no error")
	}
}

func TestSinkhornPlotAndTable(t *testing.T) {
	x := gaussCloud(21, 6, 0, 0, 1)
	y := gaussCloud(22, 9, 3, 0, 1)
	geom, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 0.5})
	mustNoErr(t, err)
	r, err := otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{})
	mustNoErr(t, err)
	f, err := SinkhornPlot(r, LinesOptions{})
	mustNoErr(t, err)
	ss := seriesOf(t, f)
	if len(ss) != 3 || len(ss[0]["data"].([]interface{})) != 54 {
		t.Errorf("want all 6·9 segments by default, got %v", len(ss[0]["data"].([]interface{})))
	}
	tab, err := SinkhornCouplingTable(r, CouplingOptions{})
	mustNoErr(t, err)
	rm, cm := r.RowMarginal(), r.ColMarginal()
	for i := range rm {
		if !approx(tab.RowSums()[i], rm[i], 1e-12) {
			t.Errorf("row %d: %v vs otkit %v", i, tab.RowSums()[i], rm[i])
		}
	}
	for j := range cm {
		if !approx(tab.ColSums()[j], cm[j], 1e-12) {
			t.Errorf("col %d: %v vs otkit %v", j, tab.ColSums()[j], cm[j])
		}
	}
	cg, err := otkit.NewGeometry(mat.NewDense(2, 2, []float64{0, 1, 1, 0}), otkit.GeometryOptions{Epsilon: 0.1})
	mustNoErr(t, err)
	rc, err := otkit.Sinkhorn(cg, nil, nil, otkit.SinkhornOptions{})
	mustNoErr(t, err)
	if _, err := SinkhornPlot(rc, LinesOptions{}); err == nil {
		t.Error("cost-matrix geometry: no error")
	}
}

func TestShowHelpersDisplayOnce(t *testing.T) {
	haveEcharts(t)
	ff := &fakeFront{notebook: true}
	withFront(t, ff)
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	res, y := smallFlow(t)
	gens, err := tutorial.GMMGenerators()
	mustNoErr(t, err)
	x0, _, _ := gens[0].Sample(rand.New(rand.NewPCG(1, 0)), 100)
	x1, _, _ := gens[1].Sample(rand.New(rand.NewPCG(2, 0)), 100)
	p, a, b := tutorialCoupling()
	calls := []func() error{
		func() error { return ShowClouds(res.Frames[0].X, y, "clouds") },
		func() error { return ShowSamplesSideBySide(x0, x1, "0", "1") },
		func() error { return ShowMixturesSideBySide(gens[0], x0, gens[1], x1, "fit 0", "fit 1") },
		func() error { return ShowCoupling(p, a, b, "coupling") },
		func() error { return ShowLine([]float64{0, 1, 2}, []float64{1, 0, 1}, "line") },
		func() error { return ShowFlow(res, y, nil) },
		func() error { return ShowTable([]string{"run", "value"}, [][]string{{"a", "1"}}) },
		func() error { return ShowFinalClouds([]*mat.Dense{res.X, res.X}, y, []string{"a", "b"}) },
	}
	for i, c := range calls {
		if err := c(); err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if len(ff.outputs) != len(calls) {
		t.Errorf("%d outputs for %d calls", len(ff.outputs), len(calls))
	}
	if err := ShowTable([]string{"a"}, [][]string{{"1", "2"}}); err == nil {
		t.Error("ragged table: no error")
	}
	if err := ShowFlow(res, y, []string{"only one"}); err == nil {
		t.Error("wrong number of titles: no error")
	}
}

func TestPairAdapters(t *testing.T) {
	gens, err := tutorial.GMMGenerators()
	mustNoErr(t, err)
	pair, err := otkit.NewMixturePair(gens[0], gens[1], otkit.MixturePairOptions{Epsilon: 0.01, Tau: 1})
	mustNoErr(t, err)
	cost, err := pair.CostMatrix()
	mustNoErr(t, err)
	sk, err := pair.Sinkhorn(cost, otkit.SinkhornOptions{})
	mustNoErr(t, err)
	tab, err := PairCouplingTable(pair, sk, true, CouplingOptions{})
	mustNoErr(t, err)
	if !approx(tab.Total(), 1, 1e-12) {
		t.Errorf("normalised total %v", tab.Total())
	}
	want, err := otkit.NormalizedCoupling(sk)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range tab.RowSums() {
		if !approx(v, mat.Sum(want.RowView(i)), 1e-12) {
			t.Errorf("row %d sum %v", i, v)
		}
	}
	if !strings.Contains(tab.String(), fmtFloat5(pair.GMM0.Weights()[2])) {
		t.Errorf("table lacks the weights of GMM 0:\n%s", tab)
	}

	res := &otkit.PairFitResult{Steps: []otkit.PairStep{
		{Iter: 0, Q0: -3.872, Q1: -3.894, Transport: 0.011, Objective: -7.766},
		{Iter: 1, Q0: -3.848, Q1: -3.867, Transport: 0.026, Objective: -7.715},
		{Iter: 2, Q0: -3.827, Q1: -3.844, Transport: 0.069, Objective: -7.672},
	}}
	f, err := PairFitPlot(res, LinePlotOptions{Title: "EM"})
	mustNoErr(t, err)
	ss := seriesOf(t, f)
	if len(ss) != 4 || ss[3]["name"] != "transport" || ss[3]["xAxisIndex"].(float64) != 1 {
		t.Fatalf("series %v", ss)
	}
	if got := xy(t, ss[2]); got[2] != [2]float64{2, -7.672} {
		t.Errorf("objective points %v", got)
	}
	if _, err := PairFitPlot(&otkit.PairFitResult{}, LinePlotOptions{}); err == nil {
		t.Error("no steps: no error")
	}
}
