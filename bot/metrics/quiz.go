package metrics

import "github.com/prometheus/client_golang/prometheus"

// quizAnswers are the values of the truth and vote labels of
// glowcloud_quiz_votes_total (quiz.Real and quiz.GlowCloud).
var quizAnswers = []string{"real", "glowcloud"}

// quizMetrics are Real or Glow Cloud?'s metrics.
type quizMetrics struct {
	votes    *prometheus.CounterVec
	revealed *prometheus.CounterVec
}

func newQuizMetrics(reg *prometheus.Registry) *quizMetrics {
	q := &quizMetrics{
		votes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glowcloud_quiz_votes_total",
			Help: "Votes of /quiz rounds, counted when a round is tallied, by what the sentence was (truth: real or glowcloud) and what the member said (vote). truth=glowcloud,vote=real are readers fooled.",
		}, []string{"truth", "vote"}),
		revealed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glowcloud_quiz_reveals_total",
			Help: "/quiz rounds revealed, by result (edited, or failed: Discord refused the edit or the token expired).",
		}, []string{"result"}),
	}
	reg.MustRegister(q.votes, q.revealed)
	for _, t := range quizAnswers {
		for _, v := range quizAnswers {
			q.votes.WithLabelValues(t, v)
		}
	}
	for _, r := range []string{"edited", "failed"} {
		q.revealed.WithLabelValues(r)
	}
	return q
}

// QuizVotes counts n votes of a tallied round. With QuizRevealed, it makes
// *Metrics a quiz.Metrics.
func (m *Metrics) QuizVotes(truth, vote string, n int) {
	if m != nil {
		m.quiz.votes.WithLabelValues(truth, vote).Add(float64(n))
	}
}

// QuizRevealed counts a round's reveal by result.
func (m *Metrics) QuizRevealed(result string) {
	if m != nil {
		m.quiz.revealed.WithLabelValues(result).Inc()
	}
}
