#!/usr/bin/python3
"""Writes the project's GoNB notebooks from the cell sources below.

Run from anywhere with the Debian Python (it has nbformat):

    /usr/bin/python3 notebooks/make_notebooks.py

The notebooks are written without outputs. Edit the cells here, not in the
.ipynb files, so that a review reads plain Go and Markdown.
"""

import hashlib
import os
import textwrap

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))


def md(text):
    return new_markdown_cell(textwrap.dedent(text).strip("\n"))


def go(text):
    return new_code_cell(textwrap.dedent(text).strip("\n"))


# The set-up cell of every notebook. Its first lines give the kernel's private
# module a go.work that makes it see this repository, so cells import otkit,
# widgets and tutorial at the versions checked out next to the notebook, and
# every other module at the versions pinned in the repository's go.mod
# (%noautoget: no `go get`). Then must/check, then (generated, see
# setup_cell) every declaration the later cells use, so that after a kernel
# restart running this one cell is enough before any other; then the echarts
# library goes into the page.
WIRING = """\
!*rm -f go.work && go work init && go work use . "$(cd "$GONB_DIR" && dirname "$(go env GOMOD)")"
%goworkfix
%noautoget
"""

CELL_HELPERS = """\
// must returns v, or stops the cell with one line "error: ..."; check does
// the same for a bare error (tutorial.Must and tutorial.Check).
func must[T any](v T, err error) T { return tutorial.Must(v, err) }
func check(err error)              { tutorial.Check(err) }

// seeded returns the random stream of one random step (fixed seed).
func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }
"""


def declarations(source):
    """The top-level Go declarations of a cell: everything before its `%%` line
    (a cell without `%%` is all declarations)."""
    lines = source.splitlines()
    if "%%" in lines:
        lines = lines[:lines.index("%%")]
    return "\n".join(lines).strip()


def setup_cell(cells):
    """The set-up cell: wiring, must/check, the declarations of all later cells
    (repeated verbatim: GoNB keeps the latest of two identical declarations,
    so the cells below still define what they explain), the chart library."""
    decls = [declarations(c.source) for c in cells if c.cell_type == "code"]
    decls = [d for d in decls if d]
    cell = go(
        WIRING + "\n" + CELL_HELPERS + "\n"
        + "// Declared again below where they are explained; repeated here so that after a\n"
        + "// kernel restart this cell is all you need to run before any other.\n\n"
        + "\n\n".join(decls)
        + "\n\n%%\ncheck(widgets.Setup())"
    )
    # Long and repetitive by design: JupyterLab and Notebook 7 show it
    # collapsed (one click expands it), so the reader meets the prose first.
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


SETUP = go("// replaced by setup_cell")

SETUP_MD = md(
    """
    **Set-up.** GoNB compiles every cell as a separate Go program in a
    private module. The next cell points that module at this repository
    with a `go.work` file, so `otkit`, `widgets` and `tutorial` (the
    notebooks' helpers: data generators, number formatting) come from the
    checkout this notebook sits in, and every other dependency at the
    version pinned in the repository's `go.mod`; it then puts the chart
    library into the page (an offline copy installed by `npm ci`). It also
    declares the data, fit and flow functions that later cells use (each is
    shown again where the text explains it), so its source is long and
    shown collapsed: **after a kernel restart, run this cell once, and then
    any cell runs on its own.**

    Every chart is interactive when the notebook runs (or is trusted) and
    carries a static image of itself for viewers that run no scripts
    (GitHub, nbviewer, an HTML export). Long steps show a progress bar.
    """
)


# ---------------------------------------------------------------------------
# Coupled GMMs
# ---------------------------------------------------------------------------

GMM = [
    md(
        r"""
        # Fitting two coupled Gaussian mixtures

        Two Gaussians have a closed-form Wasserstein-2 distance: the squared
        distance of their means plus the Bures distance of their covariances,

        $$W_2^2(\mathcal N(m_0,\Sigma_0),\mathcal N(m_1,\Sigma_1)) = \|m_0-m_1\|^2
        + \operatorname{tr}\Sigma_0 + \operatorname{tr}\Sigma_1
        - 2\operatorname{tr}\big(\Sigma_0^{1/2}\Sigma_1\Sigma_0^{1/2}\big)^{1/2}.$$

        For two Gaussian mixtures $\mu_0=\sum_k\pi_0^k\mu_0^k$ and
        $\mu_1=\sum_l\pi_1^l\mu_1^l$ there is no such formula, but Delon and
        Desolneux (2020) observe that if the transport plan itself must be a
        Gaussian mixture (on the product space), the problem collapses onto the
        components. The resulting distance $\mathrm{MW}_2$ is a small discrete
        transport problem whose ground cost is the Gaussian $W_2^2$ between
        components:

        $$\mathrm{MW}_2^2(\mu_0,\mu_1) = \min_{w\in\Pi(\pi_0,\pi_1)} \sum_{k,l} w_{kl}\, W_2^2(\mu_0^k,\mu_1^l),$$

        where $\Pi(\pi_0,\pi_1)$ holds the $K_0\times K_1$ nonnegative matrices
        with row sums $\pi_0$ and column sums $\pi_1$. With an entropic term
        this is a Sinkhorn problem on a $K_0\times K_1$ cost matrix; in `otkit`
        the cost matrix comes from the `Bures` cost between components.

        The same paper proposes to use $\mathrm{MW}_2$ between *two point
        clouds* by fitting one mixture to each cloud while penalising the
        $\mathrm{MW}_2$ distance between them, instead of fitting them
        separately by EM. The penalty makes components of the two fits
        correspond, the coupling between a handful of components is easy to
        read, and the cost grows with the number of components, not with the
        number of points (Sinkhorn never sees the points). This notebook runs
        that procedure on synthetic data, first balanced ($\mathrm{MW}_2$), then
        unbalanced ($\mathrm{UW}_2$), which lets components change weight.
        """
    ),
    SETUP_MD,
    SETUP,
    md(
        r"""
        ## Synthetic data

        Two known mixtures generate the data; they differ a little in means,
        covariances and weights.

        | component | mean (GMM 0) | covariance (GMM 0) | weight 0 | mean shift for GMM 1 | rotation for GMM 1 | weight 1 |
        |---|---|---|---|---|---|---|
        | 0 | (2, −1) | 3·[[0.2, 0], [0, 0.1]] | 0.2 | (+1, −0.5) | 5° | 0.4 |
        | 1 | (−2, 0) | 3·[[0.6, 0], [0, 0.3]] | 0.2 | (−1, −1) | −5° | 0.4 |
        | 2 | (4, 3) | 3·[[0.5, −0.4], [−0.4, 0.5]] | 0.6 | (−1, 0) | −10° | 0.2 |

        GMM 1's covariances are GMM 0's multiplied **on the left** by a
        rotation $R(\theta)$. $R(\theta)\Sigma$ is not symmetric; like the
        tutorial (whose Cholesky factorisation reads the symmetric part), the
        generator uses $(R\Sigma+(R\Sigma)^\top)/2$. Both generators come from
        `tutorial.GMMGenerators` (the notebooks' helper package). We draw $N = 10\,000$ points from each,
        with seeds 1 and 2 (the tutorial splits one JAX key into two; our
        generator is not JAX's, so the points differ from the tutorial's while
        their distribution is the same).

        The next cell defines the data as functions: GoNB runs every cell as a
        new program, and drawing 20 000 points takes milliseconds, so later
        cells simply draw them again from the same seeds.
        """
    ),
    go(
        """
        const N = 10_000

        // Seeds of the notebook's random steps.
        const (
            seedSamples0 = 1 // points of generator 0
            seedSamples1 = 2 // points of generator 1
            seedInit     = 3 // k-means++ start of the pooled fit
        )

        // generators returns the two ground-truth mixtures.
        func generators() (*otkit.GaussianMixture, *otkit.GaussianMixture) {
            g := must(tutorial.GMMGenerators())
            return g[0], g[1]
        }

        %%
        g0, g1 := generators()
        for i, g := range []*otkit.GaussianMixture{g0, g1} {
            fmt.Printf("generator %d\\n", i)
            for k, c := range must(g.Covariances()) {
                fmt.Printf("  weight %.2f  mean %5.2f  covariance %s\\n", g.Weights()[k], g.Means()[k], tutorial.Sym2(c))
            }
        }
        """
    ),
    go(
        """
        // samples draws N points from each generator.
        func samples() (x0, x1 *mat.Dense) {
            g0, g1 := generators()
            x0, _, err := g0.Sample(seeded(seedSamples0), N)
            check(err)
            x1, _, err = g1.Sample(seeded(seedSamples1), N)
            check(err)
            return x0, x1
        }

        %%
        x0, x1 := samples()
        check(widgets.ShowSamplesSideBySide(x0, x1, "Samples from generating GMM 0", "Samples from generating GMM 1"))
        """
    ),
    md(
        r"""
        ## A pooled mixture as the starting point

        Both coupled fits start from one mixture fitted to the union of the two
        clouds: a k-means++ start (seed 3) with three components, then 20 EM
        steps. It is only a starting point, shared by the two mixtures we are
        after. Its three components sit between the matching clusters of the
        two generators: around (3.5, 3), (−2.5, −0.5) and (2.5, −1.25).

        **The listing order matters.** The mixture weights are stored as two
        free logits against the *last* component, $\pi = \mathrm{softmax}([\theta, 0])$,
        and the pair fit moves them with Adam, whose steps are roughly the same
        size for every free parameter. Listing the components in another order
        therefore changes the path of the fit (not the model), and the order of
        the printed tables. The tutorial's balanced run lists the clusters as
        (2, −1), (−2, 0), (4, 3), the way the generators do; its unbalanced run
        lists them in reverse (probably from another execution of its
        notebook). `tutorial.GMMOrder` lists our pooled fit the same way
        before each run, so the printed numbers line up with the tutorial's.
        """
    ),
    go(
        """
        // pooled fits one 3-component mixture to both clouds together;
        // report (nil for none) receives one line per EM step.
        func pooled(x0, x1 *mat.Dense, report io.Writer) *otkit.GaussianMixture {
            var all mat.Dense
            all.Stack(x0, x1)
            init := must(otkit.InitKMeansPlusPlus(seeded(seedInit), &all, nil, 3))
            return must(otkit.FitEM(init, &all, otkit.EMOptions{Steps: 20, Report: report})).Mixture
        }

        // inOrder lists g's components nearest to the generator clusters in the given order.
        func inOrder(g *otkit.GaussianMixture, clusters ...int) *otkit.GaussianMixture {
            g0, _ := generators()
            return must(tutorial.GMMOrder(g, g0.Means(), clusters))
        }

        %%
        x0, x1 := samples()
        start := time.Now()
        progress := widgets.NewProgress("pooled fit: EM steps", 20, widgets.ProgressOptions{})
        g := pooled(x0, x1, progress)
        progress.Done()
        fmt.Printf("pooled fit in %v\\n", time.Since(start).Round(time.Millisecond))
        fmt.Println("weights:", tutorial.Vec(g.Weights()))
        fmt.Println("means:  ", tutorial.Rows(g.Means()))
        g = inOrder(g, 0, 1, 2)
        fmt.Println("listed as the generators (balanced run):")
        fmt.Println("weights:", tutorial.Vec(g.Weights()))
        fmt.Println("means:  ", tutorial.Rows(g.Means()))
        """
    ),
    md(
        r"""
        ## Coupled fit with the $\mathrm{MW}_2$ penalty

        Now each cloud gets its own mixture. The fit maximises

        $$J = Q_0 + Q_1 - w_t\,\mathrm{OT}_\varepsilon(\pi_0,\pi_1;\,C),$$

        where $Q_j$ is the EM objective (expected complete-data
        log-likelihood per point) of mixture $j$ on cloud $j$, $C$ is the
        matrix of Gaussian $W_2^2$ costs between the components, and
        $\mathrm{OT}_\varepsilon$ is the entropic transport cost between the
        component weights. Each EM iteration computes responsibilities and then
        takes 20 Adam steps (learning rate $10^{-3}$) on all means, Cholesky
        factors and weight logits of both mixtures.

        Parameters as in the tutorial: $\varepsilon = 0.01$, $w_t = 0.01$,
        balanced ($\tau = 1$), 30 EM iterations of 20 M-steps each; both
        mixtures start from the pooled fit. While it runs, the chart below
        the progress bar grows by one point per EM iteration ($J$, $Q_0$,
        $Q_1$ on the left, the transport term on the right); the tutorial's
        per-iteration lines (iteration, $Q_0$, $Q_1$, transport, $J$, each
        computed before its M-step) stay under it, collapsed.
        """
    ),
    go(
        """
        // Parameters of the balanced run.
        const (
            epsilon         = 0.01 // entropic regularisation of the component problem
            weightTransport = 0.01 // w_t
        )

        // fitBalanced runs the MW2-penalised fit; report receives the per-iteration lines.
        func fitBalanced(x0, x1 *mat.Dense, report io.Writer) *otkit.PairFitResult {
            g := inOrder(pooled(x0, x1, nil), 0, 1, 2)
            p := must(otkit.NewMixturePair(g, g.Clone(), otkit.MixturePairOptions{Epsilon: epsilon, Tau: 1}))
            return must(otkit.FitPair(p, x0, x1, otkit.PairFitOptions{
                WeightTransport: weightTransport,
                LearningRate:    1e-3,
                EMSteps:         30,
                MSteps:          20,
                Report:          report,
            }))
        }

        // rerun is the progress bar of a cell that runs a fit again: each cell
        // is a new program, and the fit takes a fraction of a second.
        func rerun(what string) io.Writer {
            return widgets.NewProgress(what+" (run again in this cell)", 30, widgets.ProgressOptions{KeepLines: -1})
        }

        %%
        x0, x1 := samples()
        start := time.Now()
        progress := widgets.NewPairFitProgress("balanced fit (MW2 penalty): EM iterations", 30, widgets.ProgressOptions{})
        res := fitBalanced(x0, x1, progress)
        progress.Done()
        fmt.Printf("wall time: %v\\n", time.Since(start).Round(time.Millisecond))
        fmt.Printf("Sinkhorn solves during the fit: %d, of which %d stopped at the iteration cap\\n", res.Solves, res.Unconverged)
        last := res.Steps[len(res.Steps)-1]
        fmt.Printf("iteration %d: Q0 %.3f, Q1 %.3f, transport %.3f, objective %.3f\\n", last.Iter, last.Q0, last.Q1, last.Transport, last.Objective)
        check(tutorial.Record("balanced_fit", map[string]any{"steps": res.Steps, "objective": res.Objective}))
        """
    ),
    md(
        r"""
        ### The fitted mixtures

        Each point is coloured by the component with the largest posterior
        probability under its cloud's fitted mixture; each component is drawn
        with its mean and the ellipse two standard deviations out along the
        eigenvectors of its covariance.
        """
    ),
    go(
        """
        %%
        x0, x1 := samples()
        pair := fitBalanced(x0, x1, rerun("balanced fit")).Pair
        check(widgets.ShowMixturesSideBySide(pair.GMM0, x0, pair.GMM1, x1,
            "Fitted GMM 0 and samples", "Fitted GMM 1 and samples"))
        """
    ),
    md(
        r"""
        ### Fitted weights and the coupling

        The coupling between the components tells how mass moves from the
        components of GMM 0 (rows) to those of GMM 1 (columns). It is the
        Sinkhorn solution on the final cost matrix, normalised to total mass 1.
        Next to the tutorial's table we print what the tutorial does not:
        whether that Sinkhorn run converged, and the row and column sums of the
        coupling against the two mixtures' weights.
        """
    ),
    go(
        """
        // showCoupling draws the coupling table with its row and column sums
        // next to the mixtures' weights (and, for an unbalanced coupling, the
        // reweighting factors).
        func showCoupling(p *mat.Dense, pair *otkit.MixturePair, caption string, unbalanced bool) {
            t := must(widgets.NewCouplingTable(p, pair.GMM0.Weights(), pair.GMM1.Weights(), widgets.CouplingOptions{
                Caption: caption, RowLabels: tutorial.MeanLabels(pair.GMM0), ColLabels: tutorial.MeanLabels(pair.GMM1),
                Unbalanced: unbalanced}))
            check(t.Display())
        }

        // record hands a coupling's numbers to the notebook checks (nothing is shown).
        func record(run string, pair *otkit.MixturePair, sk *otkit.SinkhornResult) {
            p := must(otkit.NormalizedCoupling(sk))
            check(tutorial.Record(run, map[string]any{
                "converged": sk.Converged, "iterations": sk.Iterations,
                "masses0": pair.GMM0.Weights(), "masses1": pair.GMM1.Weights(),
                "means0": pair.GMM0.Means(), "means1": pair.GMM1.Means(),
                "coupling": p.RawMatrix().Data, "total_mass": sk.TransportMass(),
                "rowsums": tutorial.Normalize(sk.RowMarginal()), "colsums": tutorial.Normalize(sk.ColMarginal()),
            }))
        }

        %%
        x0, x1 := samples()
        pair := fitBalanced(x0, x1, rerun("balanced fit")).Pair
        fmt.Println("Fitted GMM 0 masses", tutorial.Vec(pair.GMM0.Weights()))
        fmt.Println("Fitted GMM 1 masses", tutorial.Vec(pair.GMM1.Weights()))
        sk := must(pair.Sinkhorn(must(pair.CostMatrix()), otkit.SinkhornOptions{}))
        p := must(otkit.NormalizedCoupling(sk))
        fmt.Println("Mass transfer, rows=source, columns=destination")
        fmt.Println(tutorial.Matrix(p))
        tutorial.PrintMarginals(os.Stdout, sk, pair.GMM0.Weights(), pair.GMM1.Weights())
        // The capped state follows from the weights alone (see below).
        a, b := pair.GMM0.Weights(), pair.GMM1.Weights()
        r := (a[0] + a[2]) / (b[0] + b[2])
        fmt.Println("block rule ", tutorial.Vec([]float64{b[0] * r, a[1], b[2] * r}))
        showCoupling(p, pair, "Balanced coupling after the fit (capped Sinkhorn, as in the tutorial)", false)
        record("balanced", pair, sk)
        """
    ),
    md(
        r"""
        **This table is not a transport plan between the fitted weights.** Its
        column sums are not GMM 1's masses, and Sinkhorn reports that it did not
        converge within its 2000 iterations. What happened: at
        $\varepsilon = 0.01$ an entry carries mass only when the dual
        potentials nearly pay for its cost, $f_k + g_l \approx C_{kl}$, and the
        potentials start at zero and move in small steps. The routes into and
        out of the cluster near (−2, 0) / (−3, −1) are the most expensive ones
        and never open within 2000 iterations, so the problem splits into two
        blocks: that cluster's component in each mixture on its own, and the
        other two rows and columns together. Inside the isolated block GMM 0
        offers $a_1$ and GMM 1 asks for $b_1 \ne a_1$; no plan can satisfy
        both, so Sinkhorn alternates between fitting the rows and fitting the
        columns, and the block's potentials drift by about
        $\varepsilon\log(b_1/a_1)$ per iteration, far too slowly to open a
        route to the other block. The capped state then depends only on the
        weights: the isolated row keeps its mass on the diagonal, and in the
        other block column $l$ receives $b_l\,(a_0+a_2)/(b_0+b_2)$ (the
        "block rule" line above: each column of the block receives its share
        $b_l/(b_0+b_2)$ of the mass $a_0+a_2$ that the block's rows hold). The
        transport values printed during the fit come from such capped solves
        too (599 of the 601 solves stopped at the cap), which is why they keep
        growing.

        The true $\varepsilon = 0.01$ coupling must send the surplus mass over
        an expensive route. We get it with an epsilon schedule: Sinkhorn starts
        at a large $\varepsilon$, where all routes are open and the potentials
        find their relative levels, and lowers $\varepsilon$ geometrically to
        the target ($\varepsilon_t = \max(100\cdot0.99^t, 1)\cdot0.01$, which reaches the
        target after about 460 iterations). Same
        cost matrix, same weights.
        """
    ),
    go(
        """
        %%
        x0, x1 := samples()
        pair := fitBalanced(x0, x1, rerun("balanced fit")).Pair
        geom := must(otkit.NewGeometry(must(pair.CostMatrix()), otkit.GeometryOptions{
            Epsilon:  pair.Epsilon,
            Schedule: otkit.EpsilonSchedule{Init: 100, Decay: 0.99},
        }))
        sk := must(otkit.Sinkhorn(geom, pair.GMM0.Weights(), pair.GMM1.Weights(), otkit.SinkhornOptions{}))
        p := must(otkit.NormalizedCoupling(sk))
        fmt.Println("Converged coupling, rows=source, columns=destination")
        fmt.Println(tutorial.Matrix(p))
        tutorial.PrintMarginals(os.Stdout, sk, pair.GMM0.Weights(), pair.GMM1.Weights())
        showCoupling(p, pair, "Balanced coupling, converged (epsilon schedule)", false)
        record("balanced_converged", pair, sk)
        """
    ),
    md(
        r"""
        Now both marginals match the weights, and the plan uses long routes
        that the capped run never opened: the cluster near (−3, −1) needs more
        mass in GMM 1 than its counterpart has in GMM 0, so part of the mass
        near (2, −1) travels there, and the heavy component near (4, 3) makes
        up for it by sending mass down to the cluster near (3, −1.5). This is
        what $\mathrm{MW}_2$ between the two fitted mixtures means, and it shows
        why a balanced penalty fits this data poorly: the only way it can
        explain a change of weights is to move mass across the plane.

        ## Letting components change weight

        In the balanced problem a component can change weight only by receiving
        or sending mass. When points are, say, organisms and components are
        sub-populations, a sub-population that grows or shrinks is better
        described as a change of weight than as a migration. An unbalanced
        version of the distance allows that.

        With the entropic term, the balanced problem we solved is

        $$\min_{w\in\Pi(\pi_0,\pi_1)} \sum_{k,l} w_{kl}\,W_2^2(\mu_0^k,\mu_1^l) + \varepsilon\,\mathrm{KL}(w\,\|\,\pi_0\pi_1^\top).$$

        ### An unbalanced divergence between mixtures

        $\mathrm{UW}_2$ drops the marginal constraints and charges for
        violating them instead:

        $$\mathrm{UW}_2^2(\mu_0,\mu_1) = \min_{w\ge0} \sum_{k,l} w_{kl}\,W_2^2(\mu_0^k,\mu_1^l)
        + \rho\,\mathrm{KL}(w\mathbf 1\,\|\,\pi_0) + \rho\,\mathrm{KL}(w^\top\mathbf 1\,\|\,\pi_1),$$

        with the generalised KL divergence, defined for vectors of any total mass,

        $$\mathrm{KL}(f\,\|\,g) = \sum_i f_i\log\frac{f_i}{g_i} - f_i + g_i .$$

        Adding the same entropic term, unbalanced Sinkhorn solves it; in `otkit`
        that is `TauA = TauB = τ` with $\tau = \rho/(\rho+\varepsilon)$.

        ### Reading an unbalanced coupling

        **The marginals need not match the weights.** Take two 2-component
        mixtures with weights $(0.2, 0.8)$ and $(0.4, 0.6)$ and suppose the
        solver returns

        $$W = \begin{pmatrix}0.3 & 0.1\\ 0.2 & 0.4\end{pmatrix}.$$

        Row 0 sends $0.3 + 0.1 = 0.4$, twice what component 0 of $\mu_0$ owns
        ($0.2$). Column 0 receives $0.3 + 0.2 = 0.5$, more than the $0.4$ of
        component 0 of $\mu_1$.

        **Points are reweighted twice.** One way to read this: a point changes
        weight when it leaves its component and again when it arrives. Follow a
        point of weight 1 from component 0 of $\mu_0$ to component 0 of
        $\mu_1$: it leaves a component of mass $0.2$ whose outflow is $0.4$, so
        its weight doubles to 2; it enters a component of mass $0.4$ whose
        inflow is $0.5$, so its weight is scaled by $0.4/0.5 = 0.8$. Overall it
        arrives with weight $2\times0.8 = 1.6$. Each reweighting is paid for in
        the KL terms above.

        **The total mass need not be 1.** Write the coupling's marginal as
        $f = F p$ with $F = \sum_i f_i$ and $p$ a probability vector, and $g$ a
        probability vector (the weights). Then

        $$\mathrm{KL}(f\,\|\,g) = \sum_i F p_i\log\frac{F p_i}{g_i} - F p_i + g_i
        = F\,\mathrm{KL}(p\,\|\,g) + (F\log F - F + 1).$$

        The transport term also scales by $F$. So a coupling of mass $F$ costs
        $F$ times the cost of its normalised version $W/F$, plus
        $(\varepsilon + 2\rho)(F\log F - F + 1)$. The function
        $F\log F - F + 1$ is convex on $F\ge0$, vanishes at $F = 1$ and equals
        1 at $F = 0$ and at $F = e$:
        """
    ),
    go(
        """
        %%
        // y = x log x − x + 1 at x = 0, 0.1, …, 3.9, with its limit 1 at x = 0.
        curve := must(widgets.FunctionSeries("x log x − x + 1", func(x float64) float64 {
            if x == 0 {
                return 1
            }
            return x*math.Log(x) - x + 1
        }, 0, 3.9, 40))
        f := must(widgets.LinePlot(widgets.LinePlotOptions{Title: "y = x log x − x + 1", XLabel: "x", HideLegend: true}, curve))
        check(f.Display())
        """
    ),
    md(
        r"""
        A mass $F > 1$ never pays off: it scales up the cost of the normalised
        coupling and adds a positive penalty. Balanced Sinkhorn always has
        $F = 1$. A mass $F < 1$ means every point is down-weighted to make
        transport cheaper, trading transport and reweighting costs for the
        normalisation penalty. In the extreme, the empty coupling ($F = 0$)
        costs exactly $\varepsilon + 2\rho$, so the regularised unbalanced cost
        never exceeds $\varepsilon + 2\rho$ (2.01 here), however far apart the
        mixtures are. Keep that bound in mind when choosing $w_t$: the
        unbalanced transport term stays small, so the run below uses a ten
        times larger weight.

        ### Coupled fit with the $\mathrm{UW}_2$ penalty

        Parameters: $w_t = 0.1$, $\rho = 1$, so
        $\tau = \rho/(\rho+\varepsilon) = 1/1.01$; everything else as before
        (30 EM iterations of 20 M-steps, from the pooled fit, listed in reverse
        like the tutorial's run). The tutorial's
        stored output of this run stops after iteration 6; ours keeps all 30
        lines under the chart.
        """
    ),
    go(
        """
        const (
            weightTransportUW = 0.1
            rho               = 1.0
            tau               = rho / (rho + epsilon)
        )

        // unbalancedOrder lists the generator clusters in the unbalanced run's order.
        var unbalancedOrder = []int{2, 1, 0}

        // fitUnbalanced runs the UW2-penalised fit, components listed as the
        // generator clusters 2, 1, 0 (the tutorial's listing for this run).
        func fitUnbalanced(x0, x1 *mat.Dense, report io.Writer) *otkit.PairFitResult {
            g := inOrder(pooled(x0, x1, nil), unbalancedOrder...)
            p := must(otkit.NewMixturePair(g, g.Clone(), otkit.MixturePairOptions{Epsilon: epsilon, Tau: tau}))
            return must(otkit.FitPair(p, x0, x1, otkit.PairFitOptions{
                WeightTransport: weightTransportUW,
                LearningRate:    1e-3,
                EMSteps:         30,
                MSteps:          20,
                Report:          report,
            }))
        }

        %%
        x0, x1 := samples()
        start := time.Now()
        progress := widgets.NewPairFitProgress("unbalanced fit (UW2 penalty): EM iterations", 30, widgets.ProgressOptions{})
        res := fitUnbalanced(x0, x1, progress)
        progress.Done()
        fmt.Printf("wall time: %v\\n", time.Since(start).Round(time.Millisecond))
        fmt.Printf("Sinkhorn solves during the fit: %d, of which %d stopped at the iteration cap\\n", res.Solves, res.Unconverged)
        last := res.Steps[len(res.Steps)-1]
        fmt.Printf("iteration %d: Q0 %.3f, Q1 %.3f, transport %.3f, objective %.3f\\n", last.Iter, last.Q0, last.Q1, last.Transport, last.Objective)
        check(tutorial.Record("unbalanced_fit", map[string]any{"steps": res.Steps, "objective": res.Objective}))
        """
    ),
    go(
        """
        %%
        x0, x1 := samples()
        pair := fitUnbalanced(x0, x1, rerun("unbalanced fit")).Pair
        fmt.Println("Fitted GMM 0 masses", tutorial.Vec(pair.GMM0.Weights()))
        fmt.Println("Fitted GMM 1 masses", tutorial.Vec(pair.GMM1.Weights()))
        sk := must(pair.Sinkhorn(must(pair.CostMatrix()), otkit.SinkhornOptions{}))
        p := must(otkit.NormalizedCoupling(sk))
        fmt.Println("Normalized coupling")
        fmt.Println(tutorial.Matrix(p))
        tutorial.PrintMarginals(os.Stdout, sk, pair.GMM0.Weights(), pair.GMM1.Weights())
        showCoupling(p, pair, "Unbalanced coupling, normalised", true)
        l0, l1 := tutorial.MeanLabels(pair.GMM0), tutorial.MeanLabels(pair.GMM1)
        for _, rw := range tutorial.Reweightings(p, pair.GMM0.Weights(), pair.GMM1.Weights()) {
            fmt.Printf("%s -> %s: leaves x%.3f, arrives x%.3f, net x%.3f\\n", l0[rw.From], l1[rw.To], rw.Leaves, rw.Arrives, rw.Net)
        }
        // Component k keeps the colour of its cluster in the balanced figure.
        colors := make([]string, len(unbalancedOrder))
        for k, cluster := range unbalancedOrder {
            colors[k] = widgets.ComponentColor(cluster)
        }
        fig := must(widgets.MixturePairView(x0, pair.GMM0, x1, pair.GMM1, widgets.MixtureOptions{
            PanelTitles: []string{"UW2 fit: GMM 0 and samples", "UW2 fit: GMM 1 and samples"}, Colors: colors}))
        check(fig.Display())
        record("unbalanced", pair, sk)
        """
    ),
    md(
        r"""
        Neither marginal of the coupling equals the weights of its mixture, and
        that is the point: the coupling is now diagonal, each component is
        matched with its counterpart, and the differences in weight are
        explained as reweighting instead of long-range transport.

        The last lines read the reweighting as above: a point leaving component
        $k$ of GMM 0 is scaled by (row sum / mass), and arriving in component
        $l$ of GMM 1 by (mass / column sum): the table's "leaves ×" column and
        "arrives ×" row. With a diagonal coupling the two
        row and column sums cancel and the net factor is simply the ratio of
        the two masses. The heavy component near (4, 3) is roughly halved and
        the two light ones grow by a factor 1.5 to 2: the generators' weights
        went from (0.2, 0.2, 0.6) to (0.4, 0.4, 0.2), and after 30 iterations
        the fit is on its way there (the tutorial reports 0.45, 1.98 and 1.49).
        """
    ),
]

def with_setup(cells):
    """Replaces the SETUP placeholder with the generated set-up cell."""
    cells = list(cells)
    cells[cells.index(SETUP)] = setup_cell(cells)
    return cells


def gmm_notebook():
    return with_setup(GMM)


# ---------------------------------------------------------------------------
# Gradient flows
# ---------------------------------------------------------------------------

FLOWS = [
    md(
        r"""
        # Gradient flows of entropic OT and of the Sinkhorn divergence

        Write $\mathrm{OT}_\varepsilon(\alpha,\beta)$ for the entropy-regularised
        transport cost between two distributions. It is biased: even
        $\mathrm{OT}_\varepsilon(\alpha,\alpha)$ is not 0, and minimising
        $\mathrm{OT}_\varepsilon(\alpha,\beta)$ over $\alpha$ does not give
        $\alpha = \beta$. The Sinkhorn divergence of Genevay et al. (2018)
        subtracts the two self-terms,

        $$S_\varepsilon(\alpha,\beta) = \mathrm{OT}_\varepsilon(\alpha,\beta)
        - \tfrac12\mathrm{OT}_\varepsilon(\alpha,\alpha)
        - \tfrac12\mathrm{OT}_\varepsilon(\beta,\beta),$$

        which removes the bias. Following Feydy et al. (2019), this notebook
        makes the difference visible: it moves a small 2-D point cloud by
        gradient descent on $\mathrm{OT}_\varepsilon$, and then on
        $S_\varepsilon$, towards a target cloud, and watches what the cloud
        becomes.
        """
    ),
    SETUP_MD,
    SETUP,
    md(
        r"""
        ## Source and target clouds

        The source $x$ has 25 points drawn from $0.25\cdot\mathcal N(0, I_2)$,
        the target $y$ has 50 points from $0.5\cdot\mathcal N(0, I_2) + (6, 0)$;
        all points weigh the same. `tutorial.FlowClouds(seed)` draws both
        from one seed (the tutorial splits one JAX key in two; the points
        differ from the tutorial's, the distributions do not).
        """
    ),
    go(
        """
        const seedClouds = 0

        // clouds returns the source and target point clouds.
        func clouds() (x, y *mat.Dense) { return tutorial.FlowClouds(seedClouds) }

        %%
        x, y := clouds()
        check(widgets.ShowClouds(x, y, "source x and target y"))
        """
    ),
    md(
        r"""
        ## Gradient flow of a divergence

        The flow is plain gradient descent on the positions of the source
        points: for $i = 0,\dots,500$ evaluate the objective $D(x, y)$ and its
        gradient with respect to $x$, keep a frame every 50 steps, and update
        $x \leftarrow x - 0.2\,\nabla_x D$. Every Sinkhorn solve must converge;
        `otkit.GradientFlow` stops at the first that does not, and the result's
        `Err` names the step and the solve (as every otkit solver reports
        non-convergence: the result, a nil error, and `Err`). The gradient
        needs no automatic differentiation: at the optimal potentials,
        $\nabla_x\mathrm{OT}_\varepsilon$ is the coupling-weighted
        displacement (envelope theorem).

        `runFlow` below runs one flow (with a progress bar) and `titles` labels
        its frames the way the tutorial titles its animation frames. The
        tutorial's second helper, which turns the stored frames into an
        animation, is `widgets.ShowFlow` (an interactive player, one frame per
        second, points only, no coupling lines; the moving cloud $x$ is drawn
        over the target $y$). Without scripts the player shows its last frame
        and an animated GIF of all frames.
        """
    ),
    go(
        """
        // runFlow moves x by 500 steps of gradient descent (learning rate 0.2)
        // on obj, keeping a frame every 50 steps, with a progress bar.
        func runFlow(x *mat.Dense, obj otkit.FlowObjective, label string) *otkit.FlowResult {
            progress := widgets.NewProgress(label, 500, widgets.ProgressOptions{})
            defer progress.Done()
            res := must(otkit.GradientFlow(x, obj, otkit.FlowOptions{Steps: 500, LearningRate: 0.2, Every: 50, OnStep: progress.OnStep}))
            check(res.Err()) // every solve converged, as the tutorial asserts
            return res
        }

        // record hands a flow's numbers to the notebook checks (nothing is shown).
        func record(run string, res *otkit.FlowResult, y *mat.Dense) {
            var values []float64
            for _, f := range res.Frames {
                values = append(values, f.Value)
            }
            check(tutorial.Record(run, map[string]any{"values": values,
                "spread_x": tutorial.Spread(res.X), "spread_y": tutorial.Spread(y), "mean_gap": tutorial.MeanGap(res.X, y)}))
        }

        // titles labels each frame "Iter = i, name: value" and prints the labels.
        func titles(res *otkit.FlowResult, name string) []string {
            var t []string
            for _, f := range res.Frames {
                t = append(t, fmt.Sprintf("Iter = %d, %s: %.5f", f.Step, name, f.Value))
                fmt.Println(t[len(t)-1])
            }
            return t
        }
        """
    ),
    md(
        r"""
        ## Flowing along $\mathrm{OT}_\varepsilon$

        The first objective is the regularised transport cost itself, with the
        squared Euclidean cost. `regOT(eps)` builds it; `eps = 0` means the
        default, $\varepsilon = 0.05\cdot\operatorname{std}(C)$, recomputed from
        the current cost matrix at every step (and held fixed inside each
        gradient).
        """
    ),
    go(
        """
        // regOT is the flow objective OT_eps(x, y) (eps = 0: OTT's default epsilon).
        func regOT(y *mat.Dense, eps float64) otkit.FlowObjective {
            return otkit.RegOTObjective(y, otkit.PointCloudOptions{Epsilon: eps}, otkit.SinkhornOptions{})
        }
        """
    ),
    md("With the default, small $\\varepsilon$ the source moves onto the target and spreads over it:"),
    go(
        """
        %%
        x, y := clouds()
        start := time.Now()
        res := runFlow(x, regOT(y, 0), "OT_eps flow, default eps: gradient steps")
        elapsed := time.Since(start)
        check(widgets.ShowFlow(res, y, titles(res, "Reg OT Cost")))
        fmt.Printf("501 evaluations in %v\\n", elapsed.Round(time.Millisecond))
        record("ot_default", res, y)
        """
    ),
    md(
        r"""
        With $\varepsilon = 1$ the same flow reaches the target but **collapses**
        into a tight clump near the target's mean. At this scale the entropic
        plan is close to the independent coupling $a b^\top$: every source
        point is pulled towards (nearly) the same weighted average of the
        target, so the points end up together. In fact, for a single point
        mass at $z$, the regularised cost is exactly $\sum_j b_j\|z-y_j\|^2$,
        minimised at the mean of $y$; the flow's final value is close to the
        total variance of $y$. At the scale of the whole path the clump hides
        among the target's points, so a second figure zooms on the last frame.
        """
    ),
    go(
        """
        %%
        x, y := clouds()
        start := time.Now()
        res := runFlow(x, regOT(y, 1), "OT_eps flow, eps = 1: gradient steps")
        elapsed := time.Since(start)
        check(widgets.ShowFlow(res, y, titles(res, "Reg OT Cost, eps=1")))
        fmt.Printf("501 evaluations in %v\\n", elapsed.Round(time.Millisecond))
        fmt.Printf("total variance of y: %.5f\\n", tutorial.TotalVariance(y))
        fmt.Printf("spread of x after 500 steps: %.4f (target y: %.4f)\\n", tutorial.Spread(res.X), tutorial.Spread(y))

        // The last frame, zoomed on x: a window 12 spreads of x wide around its mean.
        n, _ := res.X.Dims()
        cx, cy := mat.Sum(res.X.ColView(0))/float64(n), mat.Sum(res.X.ColView(1))/float64(n)
        h := math.Max(6*tutorial.Spread(res.X), 0.25)
        zoom := must(widgets.ScatterPlot(widgets.ScatterOptions{Title: "eps = 1, step 500, zoomed on x", EqualAxes: true,
            XLim: []float64{cx - h, cx + h}, YLim: []float64{cy - h, cy + h}, Width: 460, Height: 420},
            widgets.Cloud{Name: "y", Points: y, Symbol: "x", Color: widgets.ColorY},
            widgets.Cloud{Name: "x after 500 steps", Points: res.X, Color: widgets.ColorX}))
        check(zoom.Display())
        record("ot_eps1", res, y)
        """
    ),
    md(
        r"""
        ## Flowing along the Sinkhorn divergence $S_\varepsilon$

        Same $\varepsilon = 1$, now with the debiased objective. The target
        does not move, so $\mathrm{OT}_1(y, y)$ is a constant: we compute it
        once with a plain Sinkhorn solve on $(y, y)$ and pass it as an offset
        (`StaticB`), which saves the third solve at every step. The
        $\mathrm{OT}_1(x, x)$ term does depend on $x$: its gradient pushes the
        source points apart, which is exactly what was missing above.
        """
    ),
    go(
        """
        // offsetYY is OT_1(y, y), the constant part of S_1(x, y).
        func offsetYY(y *mat.Dense) float64 {
            geom := must(otkit.NewPointCloud(y, y, otkit.PointCloudOptions{Epsilon: 1}))
            sk := must(otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{}))
            check(sk.Err()) // names the iteration cap, the final error and what helps
            return sk.RegOTCost
        }

        // sinkDiv is the flow objective S_1(x, y) with OT(y, y) precomputed.
        func sinkDiv(y *mat.Dense) otkit.FlowObjective {
            return otkit.DivergenceObjective(y, otkit.DivergenceOptions{Epsilon: 1, StaticB: true, OffsetStaticB: offsetYY(y)})
        }

        %%
        x, y := clouds()
        fmt.Printf("OT_1(y, y) = %.5f\\n", offsetYY(y))
        start := time.Now()
        res := runFlow(x, sinkDiv(y), "S_eps flow, eps = 1: gradient steps")
        elapsed := time.Since(start)
        check(widgets.ShowFlow(res, y, titles(res, "Sink Div")))
        fmt.Printf("501 evaluations in %v\\n", elapsed.Round(time.Millisecond))
        record("sdiv_eps1", res, y)
        """
    ),
    md(
        r"""
        The source now spreads over the target and the divergence goes to
        (almost) zero.

        ## Comparing the three flows

        One thing is common to the three runs: at converged potentials the
        gradients of the $n$ source points sum to $2(\bar x - \bar y)$ (the
        self-term of $S_\varepsilon$ adds nothing to the sum), so the mean of
        $x$ approaches the mean of $y$ by the same factor
        $1 - 2\cdot0.2/25 = 0.984$ per step in every run and ends about
        $6\cdot0.984^{500}\approx0.002$ away. What
        differs is the shape. The table compares the final objective values
        and the spread of the final cloud (root-mean-square distance of the
        points to their mean) with the spread of the target. At step 0, the
        $\mathrm{OT}_1$ and $S_1$ values differ by exactly
        $\tfrac12(\mathrm{OT}_1(x,x) + \mathrm{OT}_1(y,y))$.
        """
    ),
    go(
        """
        %%
        x, y := clouds()
        runs := []struct {
            name string
            obj  otkit.FlowObjective
        }{
            {"OT_eps, default eps", regOT(y, 0)},
            {"OT_eps, eps = 1", regOT(y, 1)},
            {"S_eps, eps = 1", sinkDiv(y)},
        }
        var finals []*mat.Dense
        var names []string
        var values [][]float64 // value at step 0 and step 500, per run
        rows := [][]string{}
        for _, r := range runs {
            res := runFlow(x, r.obj, r.name+": gradient steps")
            first, last := res.Frames[0], res.Frames[len(res.Frames)-1]
            rows = append(rows, []string{r.name,
                fmt.Sprintf("%.5f", first.Value), fmt.Sprintf("%.5f", last.Value),
                fmt.Sprintf("%.4f", tutorial.Spread(res.X)), fmt.Sprintf("%.4f", tutorial.Spread(res.X)/tutorial.Spread(y)),
                fmt.Sprintf("%.4f", tutorial.MeanGap(res.X, y))})
            finals, names = append(finals, res.X), append(names, r.name)
            values = append(values, []float64{first.Value, last.Value})
        }
        check(widgets.ShowTable([]string{"objective", "value at step 0", "value at step 500",
            "final spread of x", "spread / spread of y", "|mean x − mean y|"}, rows))
        fmt.Printf("spread of the target y: %.4f\\n", tutorial.Spread(y))

        // The step-0 gap between OT_1 and S_1 is half the two self-terms.
        div := must(otkit.Divergence(x, y, nil, nil, otkit.DivergenceOptions{Epsilon: 1, StaticB: true, OffsetStaticB: offsetYY(y)}))
        half := 0.5 * (div.XX.RegOTCost + offsetYY(y))
        gap := values[1][0] - values[2][0]
        fmt.Printf("step 0: OT_1 - S_1 = %.5f, 1/2 (OT_1(x,x) + OT_1(y,y)) = %.5f\\n", gap, half)
        var panels []widgets.Panel
        for i, f := range finals {
            // The same colours as the animations: x blue, drawn over y orange.
            panels = append(panels, widgets.Panel{Title: names[i], Clouds: []widgets.Cloud{
                {Name: "y", Points: y, Symbol: "x", Color: widgets.ColorY},
                {Name: "x after 500 steps", Points: f, Color: widgets.ColorX}}})
        }
        fig := must(widgets.ScatterPanels(widgets.ScatterOptions{Scale: 60, Width: 930, Height: 360}, panels...))
        check(fig.Display())
        """
    ),
    md(
        r"""
        Only the debiased objective leaves the source as spread out as the
        target. $\mathrm{OT}_\varepsilon$ at the default (small) $\varepsilon$
        also spreads, because its bias is small at that scale, but its value
        stalls at a positive number; at $\varepsilon = 1$ the bias dominates and
        the cloud shrinks to a fraction of the target's spread.
        """
    ),
]

def flows_notebook():
    return with_setup(FLOWS)


# ---------------------------------------------------------------------------
# Beyond the tutorials
# ---------------------------------------------------------------------------

BEYOND = [
    md(
        r"""
        # Beyond the two tutorials

        The other two notebooks redo OTT-JAX tutorials. This one is a tour of
        what else `otkit` solves, one short cell per idea: exact transport and
        what the entropic term does to it; distances on the line and their
        sliced extension to clouds; averages of shapes (barycenters); matching
        two clouds that live in different spaces (Gromov–Wasserstein); moving
        new points with a fitted transport map; and a large problem solved
        coarse to fine.
        """
    ),
    SETUP_MD,
    SETUP,
    md(
        r"""
        ## 1. Exact and entropic couplings of one problem

        Between two clouds of $n$ points with uniform weights, the exact
        problem $\min_{P\in\Pi(a,b)}\langle P, C\rangle$ (here
        $C_{ij}=\|x_i-y_j\|^2$) is a linear program. `otkit.EMD` solves it with
        the network simplex; its optimal plan is a vertex of the transport
        polytope, so at most $2n-1$ entries are non-zero, and for clouds of
        equal size it is usually a permutation.

        Sinkhorn solves the problem plus $\varepsilon$ times the negative
        entropy of $P$. The entropic plan is dense: every pair gets some
        mass, $P_{ij}\propto e^{(f_i+g_j-C_{ij})/\varepsilon}$. As
        $\varepsilon$ shrinks it concentrates on the exact plan, and its
        transport cost $\langle P_\varepsilon, C\rangle$ falls to the exact
        cost. Both clouds are sorted from left to right, so each plan below
        reads as an image: row $i$ = the $i$-th point of $x$ from the left,
        column $j$ = the $j$-th point of $y$.
        """
    ),
    go(
        """
        // smallProblem returns 40 points in a disk and 40 in a ring to its
        // right, each sorted by its first coordinate.
        func smallProblem() (x, y *mat.Dense) {
            x = must(tutorial.ShapeCloud("disk", 40, 11, 0, 0))
            y = must(tutorial.ShapeCloud("ring", 40, 12, 2.5, 0.5))
            return tutorial.SortByFirst(x), tutorial.SortByFirst(y)
        }

        %%
        x, y := smallProblem()
        exact := must(otkit.EMDPoints(x, y, nil, nil, otkit.EMDOptions{}))
        plan := exact.Matrix()
        geom := must(otkit.NewPointCloud(x, y, otkit.PointCloudOptions{}))
        var weighted mat.Dense
        weighted.MulElem(plan, geom.CostMatrix())
        fmt.Printf("exact (EMD): cost %.5f = sum of plan x C %.5f, %d non-zero entries of %d, optimal %v\\n",
            exact.Cost, mat.Sum(&weighted), len(exact.Plan), 40*40, exact.Optimal())

        images := []widgets.Image{{Title: "exact (EMD)", Pixels: plan}}
        var epsilons, costs []float64
        progress := widgets.NewProgress("Sinkhorn solves", 4, widgets.ProgressOptions{KeepLines: -1})
        for i, eps := range []float64{1, 0.3, 0.1, 0.03} {
            g := must(otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: eps}))
            sk := must(otkit.Sinkhorn(g, nil, nil, otkit.SinkhornOptions{Threshold: 1e-6, MaxIterations: 20000}))
            fmt.Printf("eps = %-4g: transport cost <P,C> = %.5f (%.1f%% above exact), regularised cost %.5f, converged %v\\n",
                eps, sk.PrimalCost(), 100*(sk.PrimalCost()/exact.Cost-1), sk.RegOTCost, sk.Converged)
            images = append(images, widgets.Image{Title: fmt.Sprintf("Sinkhorn, eps = %g", eps), Pixels: sk.Matrix()})
            epsilons, costs = append(epsilons, eps), append(costs, sk.PrimalCost())
            progress.Update(i+1, "")
        }
        progress.Done()
        check(tutorial.Record("couplings", map[string]any{"emd_cost": exact.Cost, "emd_plan_cost": mat.Sum(&weighted),
            "emd_entries": len(exact.Plan), "eps": epsilons, "costs": costs}))
        fig := must(widgets.ImagePanels(widgets.ImageOptions{Title: "Couplings of one problem (rows: x from the left, columns: y from the left)"}, images...))
        check(fig.Display())
        """
    ),
    md(
        r"""
        At $\varepsilon = 1$ (a seventh of the mean cost $C_{ij}$) the
        plan covers nearly the whole matrix: each point of $x$ spreads its
        mass over most points of $y$; at $\varepsilon = 0.3$ it is a wide
        band. At $\varepsilon = 0.03$ each row keeps only a few
        entries around the exact plan's, and the transport cost is within a
        few tenths of a percent of the exact one. The regularised cost, which adds
        $\varepsilon$ times the entropy term, is the quantity Sinkhorn
        actually minimises.
        """
    ),
    md(
        r"""
        ## 2. Distances on the line, and sliced over directions

        On the real line optimal transport needs no solver: the optimal plan
        matches quantiles, so $W_p^p=\int_0^1|F_u^{-1}(q)-F_v^{-1}(q)|^p\,dq$,
        and sorting the samples is all it costs. `otkit.Wasserstein1D`
        computes it; below we check it against `EMD` on the full cost matrix
        $|u_i-v_j|^2$ of the same samples, and against the closed form between
        the two Gaussians the samples come from,
        $W_2^2(\mathcal N(m_0,s_0^2),\mathcal N(m_1,s_1^2))=(m_0-m_1)^2+(s_0-s_1)^2$.
        """
    ),
    go(
        """
        // lineSamples returns 600 draws of N(0, 1) and 600 of N(3, 0.5²).
        func lineSamples() (u, v []float64) {
            ru, rv := seeded(21), seeded(22)
            for range 600 {
                u = append(u, ru.NormFloat64())
                v = append(v, 3+0.5*rv.NormFloat64())
            }
            return u, v
        }

        %%
        u, v := lineSamples()
        w1 := must(otkit.Wasserstein1D(u, v, nil, nil, otkit.Wasserstein1DOptions{P: 1}))
        w2 := must(otkit.Wasserstein1D(u, v, nil, nil, otkit.Wasserstein1DOptions{P: 2}))
        cost := mat.NewDense(len(u), len(v), nil)
        cost.Apply(func(i, j int, _ float64) float64 { return (u[i] - v[j]) * (u[i] - v[j]) }, cost)
        exact := must(otkit.EMD(cost, nil, nil, otkit.EMDOptions{}))
        fmt.Printf("W_1 = %.5f\\n", w1.Distance)
        fmt.Printf("W_2^2 from the quantiles %.8f, from EMD on the 600 x 600 cost matrix %.8f\\n", w2.Cost, exact.Cost)
        fmt.Printf("W_2 = %.4f; between the two Gaussians themselves: %.4f\\n", w2.Distance, math.Sqrt(9+0.25))
        check(tutorial.Record("line", map[string]any{"w2_cost": w2.Cost, "emd_cost": exact.Cost, "w1": w1.Distance, "w2": w2.Distance}))
        """
    ),
    md(
        r"""
        For clouds in $\mathbb R^d$, the *sliced* distance projects both clouds
        on random unit directions $\theta_k$ and averages the 1-D costs:
        $SW_2^2=\frac1K\sum_k W_2^2(\theta_k^\top x,\theta_k^\top y)$. It costs
        $K$ sorts instead of a transport problem, and it is never larger than
        $W_2$ (a projection never lengthens a distance); the *max-sliced*
        distance, the largest projected $W_2$, sits between the two. Below: a
        disk and a square of 500 points each, exact $W_2$ from `EMDPoints`,
        and the sliced distances for growing numbers of directions.
        """
    ),
    go(
        """
        // slicedClouds returns 500 points in a disk and 500 in a square
        // shifted by (1, 0.5).
        func slicedClouds() (x, y *mat.Dense) {
            return must(tutorial.ShapeCloud("disk", 500, 31, 0, 0)), must(tutorial.ShapeCloud("square", 500, 32, 1, 0.5))
        }

        %%
        x, y := slicedClouds()
        w2 := math.Sqrt(must(otkit.EMDPoints(x, y, nil, nil, otkit.EMDOptions{})).Cost)
        fmt.Printf("exact W_2 = %.4f\\n", w2)
        var sliced, maxSliced []float64
        for _, k := range []int{5, 50, 500} {
            r := must(otkit.SlicedWasserstein(x, y, nil, nil, otkit.SlicedOptions{Projections: k, Seed: 7}))
            fmt.Printf("%3d directions: sliced W_2 = %.4f, max-sliced W_2 = %.4f\\n", k, r.Distance, r.MaxDistance)
            sliced, maxSliced = append(sliced, r.Distance), append(maxSliced, r.MaxDistance)
        }
        check(tutorial.Record("sliced", map[string]any{"w2": w2, "sliced": sliced, "max_sliced": maxSliced}))
        """
    ),
    md(
        r"""
        The sliced distance is a Monte Carlo average over the circle of
        directions: 5 directions are too few, and between 50 and 500 it
        still moves by about a tenth. It stays well below $W_2$: most
        directions see the shift and the difference of shapes only partly. The max-sliced distance
        approaches $W_2$ from below: along the best direction, the shift is
        seen in full.

        ## 3. Averaging shapes: barycenters

        A Wasserstein barycenter of measures $\mu_1,\dots,\mu_K$ with weights
        $\lambda_k$ minimises $\sum_k\lambda_k W_2^2(\nu,\mu_k)$ over $\nu$.
        For images on a common pixel grid, the entropic version is solved by
        iterated Bregman projections, and on a grid the Gibbs kernel
        $e^{-C/\varepsilon}$ factors into one Gaussian blur per axis:
        `otkit.ConvolutionalBarycenter` never forms the $(64^2)^2$ cost
        matrix. Between a ring and a cross, moving the weight $t$ of the cross
        from 0 to 1 morphs one shape into the other through shapes that are
        *not* the pixel-wise average (which would show both at half
        intensity).
        """
    ),
    go(
        """
        // shapeImages returns the two 64×64 images of the barycenter row.
        func shapeImages() []*mat.Dense {
            return []*mat.Dense{must(tutorial.ShapeImage("ring", 64)), must(tutorial.ShapeImage("cross", 64))}
        }

        %%
        images := shapeImages()
        const steps = 11 // t = 0, 0.1, ..., 1
        progress := widgets.NewProgress("barycenters", steps, widgets.ProgressOptions{})
        var frames, row []widgets.Image
        var sums []float64
        for i := range steps {
            t := float64(i) / (steps - 1)
            bar := must(otkit.ConvolutionalBarycenter(images, otkit.ConvolutionalBarycenterOptions{Epsilon: 0.002, Weights: []float64{1 - t, t}}))
            frame := widgets.Image{Title: fmt.Sprintf("t = %.2f", t), Pixels: bar.Image}
            frames = append(frames, frame)
            if i%5 == 0 || i == 2 || i == 8 { // t = 0, 0.2, 0.5, 0.8, 1 for the static row
                row = append(row, frame)
            }
            sums = append(sums, mat.Sum(bar.Image))
            progress.Update(i+1, fmt.Sprintf("t = %.2f: %d iterations, converged %v", t, bar.Iterations, bar.Converged))
        }
        progress.Done()
        fmt.Printf("mass of each barycenter image: %s\\n", tutorial.Vec(sums))
        check(tutorial.Record("conv_barycenter", map[string]any{"sums": sums}))
        fig := must(widgets.ImagePanels(widgets.ImageOptions{Title: "Barycenters of a ring (weight 1 - t) and a cross (weight t), eps = 0.002"}, row...))
        check(fig.Display())
        // The same barycenters one at a time: drag the slider to move t.
        sweep := must(widgets.NewImageSweep(widgets.ImageOptions{Title: "Ring to cross: move the weight t"}, frames...))
        check(sweep.Display())
        """
    ),
    md(
        r"""
        Each image is a histogram of mass 1 (printed above). At $t = 0$ and
        $t = 1$ the barycenter is the input itself, slightly blurred by
        $\varepsilon$; in between, the ring grows four lobes towards the
        cross's arms while its hole shrinks, and at $t = 0.8$ only a small
        hole is left: mass *travels* rather than fades. The second chart holds
        all eleven weights $t = 0, 0.1, \dots, 1$ and shows one at a time:
        drag its slider (or use its arrow buttons) to watch the ring turn into
        the cross. Where no script runs, it shows all eleven in a grid.

        When the measures are point clouds rather than images, the support of
        the barycenter can move instead: `otkit.FreeSupportBarycenter` starts
        from a few points and repeatedly moves each to the weighted average of
        where the optimal (here exact) plans to the inputs send it. Below:
        a ring, a cross and a triangle placed apart; the barycenter of 150
        points lands at the mean of their positions, with a shape of its own.
        """
    ),
    go(
        """
        // freeInputs returns three clouds of 200 points, placed apart.
        func freeInputs() []*mat.Dense {
            return []*mat.Dense{
                must(tutorial.ShapeCloud("ring", 200, 41, -3, 0)),
                must(tutorial.ShapeCloud("cross", 200, 42, 3, 0)),
                must(tutorial.ShapeCloud("triangle", 200, 43, 0, 4)),
            }
        }

        %%
        inputs := freeInputs()
        start := must(tutorial.ShapeCloud("disk", 150, 44, 0, 1))
        progress := widgets.NewProgress("free-support barycenter", 1, widgets.ProgressOptions{KeepLines: -1})
        bar := must(otkit.FreeSupportBarycenter(inputs, nil, start, otkit.FreeSupportBarycenterOptions{}))
        progress.Update(1, "")
        progress.Done()
        fmt.Printf("free-support barycenter: %d iterations, converged %v, mean cost to the inputs %.4f\\n", bar.Iterations, bar.Converged, bar.Cost)
        var means [][]float64
        for _, c := range append(inputs, bar.X) {
            means = append(means, []float64{mat.Sum(c.ColView(0)) / float64(c.RawMatrix().Rows), mat.Sum(c.ColView(1)) / float64(c.RawMatrix().Rows)})
        }
        fmt.Printf("input means %s; barycenter mean %s\\n", tutorial.Rows(means[:3]), tutorial.Vec(means[3]))
        check(tutorial.Record("free_barycenter", map[string]any{"converged": bar.Converged, "means": means, "iterations": bar.Iterations}))
        fig := must(widgets.ScatterPlot(widgets.ScatterOptions{Title: "Free-support barycenter of three clouds", EqualAxes: true, Scale: 15},
            widgets.Cloud{Name: "ring", Points: inputs[0], Color: "#bbbbbb", NoEdge: true},
            widgets.Cloud{Name: "cross", Points: inputs[1], Color: "#999999", NoEdge: true},
            widgets.Cloud{Name: "triangle", Points: inputs[2], Color: "#777777", NoEdge: true},
            widgets.Cloud{Name: "barycenter", Points: bar.X, Color: widgets.ColorX}))
        check(fig.Display())
        """
    ),
    md(
        r"""
        ## 4. Matching across spaces: Gromov–Wasserstein

        Transport needs a cost between the two spaces. When the clouds live in
        different spaces, or one is a rotated, rescaled copy of the other,
        there is none that means anything; Gromov–Wasserstein compares
        *distances within* each cloud instead, and looks for a coupling $T$
        that keeps pairs at matching distances:
        $\min_T\sum_{ijkl}(D^x_{ik}-D^y_{jl})^2T_{ij}T_{kl}$. The problem is
        not convex; `otkit.EntropicGromovWassersteinPoints` solves a sequence
        of entropic transport problems on a linearised cost.

        Our source is a planar spiral of 100 points (one and a quarter
        turns), which has no symmetry. The
        target is the same spiral rotated by one radian, scaled by 2.5 and
        tilted into 3-D, so its points have three coordinates. With distances
        divided by their maximum (`NormalizeDistances`), the two clouds are
        isometric, and the right matching is known: point $i$ to point $i$.
        """
    ),
    go(
        """
        // spirals returns the planar spiral and its rotated, rescaled copy in 3-D.
        func spirals() (x, y *mat.Dense) {
            x = tutorial.SpiralCloud(100, 51)
            return x, tutorial.LiftedCopy(x, 1, 2.5, 0.7)
        }

        %%
        x, y := spirals()
        progress := widgets.NewProgress("Gromov-Wasserstein", 1, widgets.ProgressOptions{KeepLines: -1})
        gw := must(otkit.EntropicGromovWassersteinPoints(x, y, otkit.Euclidean{}, nil, nil, otkit.GromovOptions{Epsilon: 0.005, NormalizeDistances: true, MaxIterations: 200}))
        progress.Update(1, "")
        progress.Done()
        truth := make([]int, 100)
        for i := range truth {
            truth[i] = i
        }
        matches := tutorial.Matches(gw.Coupling)
        frac := must(tutorial.MatchFraction(matches, truth))
        fmt.Printf("GW: %d outer iterations, converged %v, GW cost %.5f\\n", gw.Iterations, gw.Converged, gw.Cost)
        fmt.Printf("points matched to their own copy: %.0f%%\\n", 100*frac)
        check(tutorial.Record("gw", map[string]any{"fraction": frac, "converged": gw.Converged, "cost": gw.Cost, "matches": matches}))
        // The 3-D copy drawn in its own plane, right of x, turned so that matched points face each other.
        view := must(tutorial.PlaneView(y, x, matches))
        fig := must(widgets.CouplingLines(x, view, nil, nil, gw.Coupling, widgets.LinesOptions{
            Title: "GW matching: spiral (left), its rotated, rescaled 3-D copy (right)",
            Threshold: 0.002, XName: "x (2-D)", YName: "y (3-D)", EqualAxes: true, Scale: 40}))
        check(fig.Display())
        """
    ),
    md(
        r"""
        The copy is drawn in its own plane, turned (by the orthogonal map
        that best lines up the matched pairs) so that a point and its match
        sit at the same height: a right match is a horizontal line. The lines
        join each point to where its mass goes (entries above a fifth of a
        row's mass). Almost every point goes to its own copy; the misses are
        neighbours along the arm (the entropic coupling spreads each row over
        a few points at $\varepsilon = 0.005$). No cost between a 2-D and a
        3-D point was ever defined.
        """
    ),
    md(
        r"""
        ## 5. Transporting new points: the entropic map

        A coupling only says where the *sample* points go. The Sinkhorn
        potentials, though, extend to any point: $f(x) = -\varepsilon\log
        \sum_j e^{(g_j - c(x, y_j))/\varepsilon}$ is defined everywhere, and
        for the squared Euclidean cost its gradient gives a map,
        $T(x) = x - \nabla f(x)/2 = \sum_j p_j(x)\,y_j$, a weighted average
        of the target points with weights $p_j(x)$ that sum to one.
        `otkit.NewEntropicMap` builds it from a Sinkhorn result. We fit it
        between 300 points of a disk and 300 of a triangle, then move 200
        *new* points of the disk, which the fit never saw.
        """
    ),
    go(
        """
        // mapClouds returns the fit's source (disk) and target (triangle),
        // and new points of the disk.
        func mapClouds() (x, y, fresh *mat.Dense) {
            x = must(tutorial.ShapeCloud("disk", 300, 71, 0, 0))
            y = must(tutorial.ShapeCloud("triangle", 300, 72, 3, 0))
            fresh = must(tutorial.ShapeCloud("disk", 200, 73, 0, 0))
            return x, y, fresh
        }

        %%
        x, y, fresh := mapClouds()
        progress := widgets.NewProgress("fit, map, two exact distances", 3, widgets.ProgressOptions{KeepLines: -1})
        geom := must(otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 0.01}))
        sk := must(otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{Threshold: 1e-6, MaxIterations: 10000}))
        tmap := must(otkit.NewEntropicMap(sk))
        progress.Update(1, "")

        // At the fitted points the map is the barycentric projection of the plan: 300·P·y.
        atSamples := must(tmap.Transport(x))
        var projection mat.Dense
        projection.Mul(sk.Matrix(), y)
        projection.Scale(300, &projection)
        var diff mat.Dense
        diff.Sub(atSamples, &projection)
        gap := mat.Norm(&diff, math.Inf(1))
        fmt.Printf("Sinkhorn converged %v; at the 300 fitted points, |T(x) - 300 P y| <= %.1e\\n", sk.Converged, gap)

        moved := must(tmap.Transport(fresh))
        before := math.Sqrt(must(otkit.EMDPoints(fresh, y, nil, nil, otkit.EMDOptions{})).Cost)
        progress.Update(2, "")
        after := math.Sqrt(must(otkit.EMDPoints(moved, y, nil, nil, otkit.EMDOptions{})).Cost)
        progress.Update(3, "")
        progress.Done()
        fmt.Printf("200 new points: W_2 to the triangle %.4f before the map, %.4f after\\n", before, after)
        check(tutorial.Record("entropic_map", map[string]any{"converged": sk.Converged, "gap": gap, "before": before, "after": after}))
        fig := must(widgets.ScatterPanels(widgets.ScatterOptions{Scale: 20, EqualAxes: true, Width: 930, Height: 360},
            widgets.Panel{Title: "new points of the disk (not in the fit)", Clouds: []widgets.Cloud{
                {Name: "target (triangle)", Points: y, Symbol: "x", Color: widgets.ColorY},
                {Name: "new points", Points: fresh, Color: widgets.ColorX}}},
            widgets.Panel{Title: "the same points moved by the entropic map", Clouds: []widgets.Cloud{
                {Name: "target (triangle)", Points: y, Symbol: "x", Color: widgets.ColorY},
                {Name: "T(new points)", Points: moved, Color: widgets.ColorX}}}))
        check(fig.Display())
        """
    ),
    md(
        r"""
        The new points land on the triangle: their $W_2$ distance to it
        drops by more than an order of magnitude. What is left comes from the
        map's smoothing ($T(x)$ averages the target points near where $x$
        should go, over a width of order $\sqrt{\varepsilon}$) and from
        comparing 200 points with 300 others that sample the same triangle.

        ## 6. A large problem, coarse to fine

        Sinkhorn on $n$ points touches all $n^2$ pairs per iteration.
        `otkit.MultiscaleSinkhorn` clusters each cloud on a grid, solves the
        coarse problem while annealing $\varepsilon$, and then, on the full
        clouds, evaluates only the kernel entries that can carry mass (a
        truncation with a bound on the mass it leaves out). Two uniform squares
        of $n$ points each, offset by $(0.2, 0)$ and shrunk, at
        $\varepsilon = 10^{-3}$: the cell prints the solve time, the share of
        the $n^2$ entries the final pattern keeps, and the marginal error of
        the result.
        """
    ),
    go(
        """
        %%
        sizes := []int{10_000, 100_000}
        progress := widgets.NewProgress("multiscale Sinkhorn", len(sizes), widgets.ProgressOptions{})
        var kept, errs []float64
        for i, n := range sizes {
            x, y := tutorial.UniformClouds(n, 61)
            geom := must(otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 1e-3, Online: true}))
            start := time.Now()
            res := must(otkit.MultiscaleSinkhorn(geom, nil, nil, otkit.MultiscaleOptions{}))
            e := tutorial.MarginalError(res.SinkhornResult)
            line := fmt.Sprintf("n = %6d: %.1f s, converged %v, reg OT cost %.5f, kernel entries kept %.1f%%, marginal error %.1e",
                n, time.Since(start).Seconds(), res.Converged, res.RegOTCost, 100*res.KeptFraction, e)
            fmt.Println(line)
            progress.Update(i+1, line)
            kept, errs = append(kept, res.KeptFraction), append(errs, e)
        }
        progress.Done()
        check(tutorial.Record("multiscale", map[string]any{"sizes": sizes, "kept": kept, "marginal_errors": errs}))
        """
    ),
    md(
        r"""
        The dense kernel would have $10^{10}$ entries for $n = 100\,000$
        (80 GB in float64); the multiscale solve evaluates less than a tenth of them
        per sweep without storing them (memory $O(n)$ plus one bit per pair
        of clusters), and the fraction falls as $n$ grows (finer clusters
        follow the plan more tightly). Its marginal error meets Sinkhorn's
        default threshold of $10^{-3}$.
        """
    ),
]


def beyond_notebook():
    return with_setup(BEYOND)


# ---------------------------------------------------------------------------
# Many small problems, and low-rank couplings (issue 23)
# ---------------------------------------------------------------------------

BATCH = [
    md(
        r"""
        # Many small problems at once, and low-rank couplings of large clouds

        Two workloads that one dense solve serves badly. **Minibatch OT**
        (training loops for flow matching or domain adaptation) solves
        thousands of small problems between random subsets of two large
        clouds; `otkit.EMDBatch` and `otkit.SinkhornBatch` take them all in
        one call, spread them over the cores, and return for each problem
        exactly (bit for bit) what the single-problem solver returns.
        **Large clouds in dimension above 3**, where a dense plan would need
        $n^2$ numbers and grid-based multiscale methods stop: the low-rank
        Sinkhorn of Scetbon, Cuturi & Peyré (2021) looks for a coupling
        $P = Q\,\mathrm{diag}(1/g)\,R^\top$ with $r$ components and never forms
        the $n \times m$ cost matrix.
        """
    ),
    SETUP_MD,
    SETUP,
    md(
        r"""
        ## 1. Minibatch OT between two large clouds

        A disk and a ring of 20 000 points each; 300 minibatches of 128 points
        drawn from each (a fixed seed). The cell solves the 300 exact problems
        with one `EMDBatch` call and again one by one with `EMDPoints`, then the
        300 entropic problems ($\varepsilon = 0.05$) with `SinkhornBatch` and
        with a loop of `Sinkhorn`, and prints the times and how many results
        agree bit for bit. The mean minibatch cost is the minibatch OT
        estimator: it lies above the full problem's $W_2^2$, since 128 points
        cannot follow the full plan.
        """
    ),
    go(
        """
        // minibatches draws b problems of size points from each cloud.
        func minibatches(x, y *mat.Dense, b, size int, seed uint64) []otkit.Problem {
            rng := seeded(seed)
            pick := func(c *mat.Dense) *mat.Dense {
                n, d := c.Dims()
                out := mat.NewDense(size, d, nil)
                for i, k := range rng.Perm(n)[:size] {
                    out.SetRow(i, c.RawRowView(k))
                }
                return out
            }
            ps := make([]otkit.Problem, b)
            for k := range ps {
                ps[k] = otkit.Problem{X: pick(x), Y: pick(y)}
            }
            return ps
        }

        %%
        x := must(tutorial.ShapeCloud("disk", 20000, 11, 0, 0))
        y := must(tutorial.ShapeCloud("ring", 20000, 12, 2.5, 0.5))
        ps := minibatches(x, y, 300, 128, 3)
        progress := widgets.NewProgress("minibatches", 4, widgets.ProgressOptions{KeepLines: -1})
        // One small warm-up batch of each kind first, so that neither timing
        // below pays the process's first allocations alone.
        must(otkit.EMDBatch(ps[:20], otkit.EMDBatchOptions{}))
        opt := otkit.SinkhornBatchOptions{PointCloud: otkit.PointCloudOptions{Epsilon: 0.05}, Sinkhorn: otkit.SinkhornOptions{Threshold: 1e-5}}
        must(otkit.SinkhornBatch(ps[:20], opt))

        start := time.Now()
        exact := must(otkit.EMDBatch(ps, otkit.EMDBatchOptions{}))
        tBatch := time.Since(start)
        progress.Update(1, "")
        start = time.Now()
        sameExact := 0
        var meanCost float64
        for k, p := range ps {
            r := must(otkit.EMDPoints(p.X, p.Y, nil, nil, otkit.EMDOptions{}))
            if r.Cost == exact.Results[k].Cost && len(r.Plan) == len(exact.Results[k].Plan) {
                sameExact++
            }
            meanCost += r.Cost / float64(len(ps))
        }
        tLoop := time.Since(start)
        progress.Update(2, "")

        start = time.Now()
        entropic := must(otkit.SinkhornBatch(ps, opt))
        check(entropic.Err())
        tSkBatch := time.Since(start)
        progress.Update(3, "")
        start = time.Now()
        sameEntropic := 0
        for k, p := range ps {
            g := must(otkit.NewPointCloud(p.X, p.Y, opt.PointCloud))
            r := must(otkit.Sinkhorn(g, nil, nil, opt.Sinkhorn))
            if r.RegOTCost == entropic.Results[k].RegOTCost && slices.Equal(r.F, entropic.Results[k].F) {
                sameEntropic++
            }
        }
        tSkLoop := time.Since(start)
        progress.Done()

        fmt.Printf("mean minibatch cost (exact): %.4f over %d problems of 128 x 128 points\\n", meanCost, len(ps))
        fmt.Printf("exact: %d of %d batched results identical to the solve alone\\n", sameExact, len(ps))
        fmt.Printf("entropic: %d of %d batched results identical to the solve alone\\n", sameEntropic, len(ps))
        ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }
        check(widgets.ShowTable([]string{"300 problems", "one batch call", "a loop of single solves", "loop / batch"}, [][]string{
            {"exact (EMDBatch / EMDPoints)", ms(tBatch), ms(tLoop), fmt.Sprintf("%.2f", tLoop.Seconds()/tBatch.Seconds())},
            {"entropic (SinkhornBatch / Sinkhorn)", ms(tSkBatch), ms(tSkLoop), fmt.Sprintf("%.2f", tSkLoop.Seconds()/tSkBatch.Seconds())},
        }))
        check(tutorial.Record("minibatch", map[string]any{"problems": len(ps), "same_exact": sameExact,
            "same_entropic": sameEntropic, "mean_cost": meanCost}))
        """
    ),
    md(
        r"""
        On two idle cores the batch call is up to twice as fast as the loop (one
        problem per core at a time, no contention); on a busy machine the ratio
        shrinks to what the machine gives. Whatever the schedule, every result
        equals the single solve's, which is what makes a batch safe to drop into
        code that was checked one problem at a time.

        ## 2. A low-rank coupling of two 100 000-point clouds in dimension 4

        $x$ uniform in $[0,1]^4$, $y$ Gaussian around the cube's centre (standard
        deviation 0.25), 100 000 points each. A dense plan would hold $10^{10}$
        numbers (80 GB); `LowRankSinkhorn` with rank $r = 4$ keeps $Q$
        ($n \times 4$), $R$ ($m \times 4$) and $g$, and its squared-Euclidean cost
        in factored form. The default threshold ($10^{-3}$ on the step
        criterion, in squared cost units) would stop after two steps from the
        k-means start on these unit-scale clouds; the cell asks for $10^{-5}$
        with a longer step ($\gamma = 100$) to let mirror descent work. Each panel below is one factor: a sample of 600 points
        of each cloud (centred on the cube's centre), drawn with markers sized by
        the mass the component carries from (or to) the point. The coupling sends the $x$ points of a panel to
        the $y$ points of the same panel (the clouds are shown on their two main
        directions).
        """
    ),
    go(
        """
        // lowRankClouds draws the two 4-D clouds.
        func lowRankClouds(n int, seed uint64) (x, y *mat.Dense) {
            rng := seeded(seed)
            x, y = mat.NewDense(n, 4, nil), mat.NewDense(n, 4, nil)
            xs, ys := x.RawMatrix().Data, y.RawMatrix().Data
            for i := range xs {
                xs[i] = rng.Float64()
                ys[i] = 0.5 + 0.25*rng.NormFloat64()
            }
            return x, y
        }

        // factorSample returns the rows idx of points, centred on the cube's
        // centre (the projection on two directions then shows the spread, not
        // the offset), and, as marker weights summing to 1, the column k of the
        // factor f on those rows.
        func factorSample(points, f *mat.Dense, idx []int, k int) (*mat.Dense, []float64) {
            _, d := points.Dims()
            out, w := mat.NewDense(len(idx), d, nil), make([]float64, len(idx))
            for i, row := range idx {
                for t := 0; t < d; t++ {
                    out.Set(i, t, points.At(row, t)-0.5)
                }
                w[i] = f.At(row, k)
            }
            return out, tutorial.Normalize(w)
        }

        %%
        progress := widgets.NewProgress("low-rank Sinkhorn", 2, widgets.ProgressOptions{KeepLines: -1})
        x, y := lowRankClouds(100_000, 23)
        progress.Update(1, "")
        start := time.Now()
        res := must(otkit.LowRankSinkhorn(x, y, nil, nil, otkit.LowRankOptions{Rank: 4, Threshold: 1e-5, Gamma: 100}))
        elapsed := time.Since(start)
        progress.Done()
        check(res.Err())
        fmt.Printf("rank %d coupling of %d x %d points: %.1f s, %d steps, transport cost %.4f (start %.4f)\\n",
            len(res.G), 100_000, 100_000, elapsed.Seconds(), res.Iterations, res.Cost, res.Costs[0])
        fmt.Printf("component masses g: %s\\n", tutorial.Vec(res.G))

        idx := seeded(5).Perm(100_000)[:600]
        var panels []widgets.Panel
        for k := range res.G {
            xp, wx := factorSample(x, res.Q, idx, k)
            yp, wy := factorSample(y, res.R, idx, k)
            panels = append(panels, widgets.Panel{Title: fmt.Sprintf("k = %d, g = %.2f", k+1, res.G[k]), Clouds: []widgets.Cloud{
                {Name: "y (target)", Points: yp, Weights: wy, Symbol: "x", Color: widgets.ColorY, NoEdge: true},
                {Name: "x (source)", Points: xp, Weights: wx, Color: widgets.ColorX, Opacity: 0.6, NoEdge: true}}})
        }
        fig := must(widgets.ScatterPanels(widgets.ScatterOptions{Title: "The r = 4 factors of the low-rank coupling (x: circles, y: crosses)", HideLegend: true, Scale: 15}, panels...))
        check(fig.Display())
        check(tutorial.Record("lowrank", map[string]any{"converged": res.Converged, "cost": res.Cost,
            "start_cost": res.Costs[0], "g": res.G, "seconds": elapsed.Seconds()}))
        """
    ),
    md(
        r"""
        Each component collects the mass of one region of the cube and hands it
        to the part of the Gaussian cloud nearest to it: four hubs through which
        all the mass flows. The solve starts from k-means hubs of both clouds
        and refines them by mirror descent (the printed start and end costs), and
        the memory it used is that of a few $100\,000 \times 4$ arrays.
        """
    ),
]


def batch_notebook():
    return with_setup(BATCH)


def write(name, cells):
    nb = new_notebook()
    nb.cells = cells
    # Cell ids derived from the notebook's name and the cell's place, so
    # that regenerating an unchanged notebook changes no byte of it.
    for i, cell in enumerate(cells):
        cell.id = hashlib.sha1(f"{name}:{i}".encode()).hexdigest()[:8]
    nb.metadata["kernelspec"] = {"name": "gonb", "display_name": "Go (gonb)", "language": "go"}
    nb.metadata["language_info"] = {"name": "go"}
    path = os.path.join(HERE, name)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print("wrote", path)


if __name__ == "__main__":
    write("coupled_gmms.ipynb", gmm_notebook())
    write("gradient_flows.ipynb", flows_notebook())
    write("beyond_the_tutorials.ipynb", beyond_notebook())
    write("batch_and_lowrank.ipynb", batch_notebook())
