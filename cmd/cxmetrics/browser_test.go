package main

import (
	"context"
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

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dom, err := exec.CommandContext(ctx, chromium, append(chromiumArgs(filepath.Join(dir, "p1")), "--dump-dom", "file://"+page)...).Output()
	require.NoError(t, err)
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

	shot := filepath.Join(dir, "shot.png")
	out, err := exec.CommandContext(ctx, chromium, append(chromiumArgs(filepath.Join(dir, "p2")), "--screenshot="+shot, "file://"+page)...).CombinedOutput()
	require.NoError(t, err, string(out))
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	// hsl(212, 70%, 35%), the colour of a 100% cell, is rgb(27, 85, 152).
	dark := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 27) && near(g>>8, 85) && near(bl>>8, 152) {
				dark++
			}
		}
	}
	assert.Greater(t, dark, 5000, "pixels painted in the 100%% heat colour")
	// #4c78a8, the bars' colour, is rgb(76, 120, 168); #e45756, the line's,
	// rgb(228, 87, 86).
	var bars, line int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 76) && near(g>>8, 120) && near(bl>>8, 168) {
				bars++
			}
			if near(r>>8, 228) && near(g>>8, 87) && near(bl>>8, 86) {
				line++
			}
		}
	}
	assert.Greater(t, bars, 20000, "pixels painted in the bars' colour")
	// #2ca02c, new MRR's colour, is rgb(44, 160, 44).
	var newMRR int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 44) && near(g>>8, 160) && near(bl>>8, 44) {
				newMRR++
			}
		}
	}
	assert.Greater(t, newMRR, 10000, "pixels painted in new MRR's colour")
	// #54a24b, the sBG curve's colour, is rgb(84, 162, 75).
	var curve int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 84) && near(g>>8, 162) && near(bl>>8, 75) {
				curve++
			}
		}
	}
	assert.Greater(t, curve, 1000, "pixels painted in the sBG curve's colour")
	assert.Greater(t, line, 500, "pixels painted in the line's colour")
}

func near(v uint32, want int) bool {
	d := int(v) - want
	return d >= -6 && d <= 6
}
