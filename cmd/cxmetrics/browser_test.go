package main

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics/internal/ci"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromiumArgs are the flags that let Chromium run headless as root on a
// machine without network.
func chromiumArgs(profile string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, "--window-size=1400,5200", "--hide-scrollbars",
	}
}

// renderInChromium loads page in headless Chromium twice: for the DOM it
// builds and for a screenshot, decoded.
func renderInChromium(t *testing.T, chromium, page string) (dom []byte, shot image.Image) {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dom, err := exec.CommandContext(ctx, chromium, append(chromiumArgs(filepath.Join(dir, "p1")), "--dump-dom", "file://"+page)...).Output()
	require.NoError(t, err)
	file := filepath.Join(dir, "shot.png")
	out, err := exec.CommandContext(ctx, chromium, append(chromiumArgs(filepath.Join(dir, "p2")), "--screenshot="+file, "file://"+page)...).CombinedOutput()
	require.NoError(t, err, string(out))
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	shot, err = png.Decode(f)
	require.NoError(t, err)
	return dom, shot
}

// pixelsNear counts the pixels of img within near of the colour r, g, b.
func pixelsNear(img image.Image, r, g, b uint32) int {
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if near(pr>>8, r) && near(pg>>8, g) && near(pb>>8, b) {
				n++
			}
		}
	}
	return n
}

// The HTML report renders in a real browser with its heat map: Chromium
// parses the page (the DOM it dumps has one coloured cell per retention
// figure) and paints it (the screenshot has the dark blue of 100% cells).
func TestHTMLReportInChromium(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		ci.Skip(t, "Chromium is not installed (apt-get install chromium); .ci/run installs it")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	code, _, errOut := runCmd(t, "", "report", "-format", "html", "-o", page)
	require.Equal(t, 0, code, errOut)

	dom, img := renderInChromium(t, chromium, page)
	cell := regexp.MustCompile(`<td class="cell" style="background-color: hsl\(212, 70%, \d+%\)`)
	section := func(id string) []byte {
		i := strings.Index(string(dom), `id="`+id+`"`)
		require.GreaterOrEqual(t, i, 0, id)
		j := strings.Index(string(dom[i:]), "</table>")
		return dom[i : i+j]
	}
	// 18 monthly cohorts: a triangle of 18 + 17 + … + 1 cells, in both heat
	// maps.
	assert.Equal(t, 18*19/2, len(cell.FindAll(section("cohort-heatmap"), -1)), "purchase cohort cells in the DOM")
	assert.Equal(t, 18*19/2, len(cell.FindAll(section("subscription-heatmap"), -1)), "subscription cohort cells in the DOM")
	// The MRR waterfall: movements stacked per month, the MRR line.
	assert.Greater(t, len(regexp.MustCompile(`<rect class="movement (new|expansion|reactivation|contraction|churn)" `).FindAll(dom, -1)), 40)
	assert.Len(t, regexp.MustCompile(`<polyline class="mrr" points="(\d+\.\d,\d+\.\d ?){18}"`).FindAll(dom, -1), 1)
	assert.True(t, strings.Contains(string(dom), `id="cohort-heatmap"`))
	// The month-by-month chart: one revenue bar per month and the line of
	// active customers through one point per month.
	assert.Len(t, regexp.MustCompile(`<rect class="bar" `).FindAll(dom, -1), 18, "revenue bars in the DOM")
	assert.Len(t, regexp.MustCompile(`<polyline class="active" points="(\d+\.\d,\d+\.\d ?){18}"`).FindAll(dom, -1), 1, "the active-customer line")
	assert.True(t, strings.Contains(string(dom), `id="series-chart"`))
	// The sBG chart: the observed share still paying at ages 0..16 (the
	// sample's December is cut short and left out) as dots, the model as a
	// line through the same ages, its 12 projected periods in the table.
	assert.Len(t, regexp.MustCompile(`<circle class="observed" `).FindAll(dom, -1), 17, "observed survival dots")
	assert.Len(t, regexp.MustCompile(`<polyline class="projected" points="(\d+\.\d,\d+\.\d ?){17}"`).FindAll(dom, -1), 1, "the model's survival curve")
	assert.Len(t, regexp.MustCompile(`<td>\d+\.\d%</td>`).FindAll(section("sbg"), -1), 3*12, "model, observed and renewal rows of the sBG table")

	// hsl(212, 70%, 35%), the colour of a 100% cell, is rgb(27, 85, 152).
	assert.Greater(t, pixelsNear(img, 27, 85, 152), 5000, "pixels painted in the 100%% heat colour")
	// #4c78a8, the bars' colour, is rgb(76, 120, 168); #e45756, the line's,
	// rgb(228, 87, 86).
	assert.Greater(t, pixelsNear(img, 76, 120, 168), 20000, "pixels painted in the bars' colour")
	// #2ca02c, new MRR's colour, is rgb(44, 160, 44).
	assert.Greater(t, pixelsNear(img, 44, 160, 44), 10000, "pixels painted in new MRR's colour")
	// #54a24b, the sBG curve's colour, is rgb(84, 162, 75).
	assert.Greater(t, pixelsNear(img, 84, 162, 75), 1000, "pixels painted in the sBG curve's colour")
	assert.Greater(t, pixelsNear(img, 228, 87, 86), 500, "pixels painted in the line's colour")
}

func near(v, want uint32) bool {
	d := int(v) - int(want)
	return d >= -6 && d <= 6
}
