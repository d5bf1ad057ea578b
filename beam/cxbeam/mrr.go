package cxbeam

import (
	"errors"
	"fmt"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/cxmetrics/cxmetrics"
)

// Located is an order with the place it was read from: the file, the line
// its record starts on, the lines it spans, and the rows it stands for
// (the invoice lines summed into it).
type Located struct {
	Order cxmetrics.Order
	File  string
	Line  int
	Lines int
	Rows  int
}

// Response is one survey answer: Metric is nps, csat or ces; Line is where
// it was read (it spreads answers over shards).
type Response struct {
	Metric string
	Score  int
	Line   int
}

func init() {
	register.DoFn2x1[cxmetrics.SubscriptionSpan, func(int, cxmetrics.SubscriptionSpan), error](&shardSpanFn{})
	register.Emitter2[int, cxmetrics.SubscriptionSpan]()
	register.Iter1[cxmetrics.SubscriptionSpan]()
	register.DoFn2x1[int, func(*cxmetrics.SubscriptionSpan) bool, *Figures](&latestFn{})
	register.DoFn4x1[int, func(*cxmetrics.SubscriptionSpan) bool, *Figures, func(*Figures), error](&buildMRRFn{})
	register.DoFn2x1[Response, func(int, Response), error](&shardResponseFn{})
	register.Emitter2[int, Response]()
	register.Iter1[Response]()
	register.DoFn2x2[int, func(*Response) bool, *Figures, error](&tallyFn{})
}

type shardSpanFn struct{ Shards int }

func (f *shardSpanFn) ProcessElement(s cxmetrics.SubscriptionSpan, emit func(int, cxmetrics.SubscriptionSpan)) error {
	if f.Shards < 1 {
		return errors.New("cxbeam: no shards")
	}
	emit(shardOf(s.CustomerID, f.Shards), s)
	return nil
}

// MRR computes the MRR series and the subscription cohorts of a
// PCollection of cxmetrics.SubscriptionSpan, all in one currency. It
// returns a PCollection of exactly one *Figures (its MRR nil without
// spans).
//
// Spans are shuffled by customer into shards. Every shard's series must
// end at the same instant, so a first pass finds the latest span event
// (unless opts.Until gives it), and each shard builds a cxmetrics.MRRBuilder
// until then; the shards' series and cohort tables add exactly
// (cxmetrics.MRRSeries.AddDisjoint), one element per shard.
func MRR(s beam.Scope, spans beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("cxbeam.MRR")
	grouped := beam.GroupByKey(s, beam.ParDo(s, &shardSpanFn{Shards: opts.shards()}, spans))
	latest := combineAll(s, beam.ParDo(s, &latestFn{}, grouped), opts.Unlifted)
	parts := beam.ParDo(s, &buildMRRFn{Period: opts.Period, Location: opts.Location, Until: opts.Until}, grouped, beam.SideInput{Input: latest})
	return combineAll(s, parts, opts.Unlifted)
}

// latestFn finds a shard's latest span event.
type latestFn struct{}

func (latestFn) ProcessElement(_ int, spans func(*cxmetrics.SubscriptionSpan) bool) *Figures {
	out := NewFigures()
	var sp cxmetrics.SubscriptionSpan
	for spans(&sp) {
		for _, t := range []time.Time{sp.Start, sp.End} {
			if t.After(out.Latest) {
				out.Latest = t
			}
		}
	}
	return out
}

// buildMRRFn builds a shard's MRR figures until the common Until.
type buildMRRFn struct{ Period, Location, Until string }

func (f *buildMRRFn) ProcessElement(_ int, spans func(*cxmetrics.SubscriptionSpan) bool, latest *Figures, emit func(*Figures)) error {
	until := f.Until
	if until == "" {
		until = latest.Latest.Format(time.RFC3339Nano)
	}
	opts, err := mrrOptions(f.Period, f.Location, until)
	if err != nil {
		return err
	}
	b, err := cxmetrics.NewMRRBuilder(opts)
	if err != nil {
		return err
	}
	var sp cxmetrics.SubscriptionSpan
	for spans(&sp) {
		if err := b.Add(sp); err != nil {
			return err
		}
	}
	series, err := b.Series()
	if errors.Is(err, cxmetrics.ErrNoData) {
		return nil // an Until before every span of the shard
	} else if err != nil {
		return err
	}
	part := &MRRPart{Currency: b.Currency(), Series: series}
	if part.Cohorts, err = b.Cohorts(); err != nil && !errors.Is(err, cxmetrics.ErrNoData) {
		return err
	}
	out := NewFigures()
	out.MRR = part
	emit(out)
	return nil
}

type shardResponseFn struct{ Shards int }

func (f *shardResponseFn) ProcessElement(r Response, emit func(int, Response)) error {
	if f.Shards < 1 {
		return errors.New("cxbeam: no shards")
	}
	emit(hashOf(r.Metric, r.Line, f.Shards), r)
	return nil
}

// Survey tallies a PCollection of Response into NPS, CSAT and CES. It
// returns a PCollection of exactly one *Figures (its tallies nil for a
// metric without answers). Answers are spread over shards and each shard's
// tallies merge exactly, one element per shard.
func Survey(s beam.Scope, responses beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("cxbeam.Survey")
	grouped := beam.GroupByKey(s, beam.ParDo(s, &shardResponseFn{Shards: opts.shards()}, responses))
	return combineAll(s, beam.ParDo(s, &tallyFn{}, grouped), opts.Unlifted)
}

// tallyFn tallies a shard's answers.
type tallyFn struct{}

func (tallyFn) ProcessElement(_ int, responses func(*Response) bool) (*Figures, error) {
	out := NewFigures()
	var r Response
	for responses(&r) {
		var err error
		switch r.Metric {
		case "nps":
			if out.NPS == nil {
				out.NPS = new(cxmetrics.NPSTally)
			}
			err = out.NPS.Add(r.Score)
		case "csat":
			if out.CSAT == nil {
				out.CSAT, _ = cxmetrics.NewScaleTally(cxmetrics.FivePoint)
			}
			err = out.CSAT.Add(r.Score)
		case "ces":
			if out.CES == nil {
				out.CES, _ = cxmetrics.NewScaleTally(cxmetrics.SevenPointCES)
			}
			err = out.CES.Add(r.Score)
		default:
			err = fmt.Errorf("cxbeam: metric %q is not nps, csat or ces", r.Metric)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
