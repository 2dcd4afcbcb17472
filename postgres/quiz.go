package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/quiz"
)

const roundColumns = `id, guild_id, channel_id, app_id, token, truth, sentence, section, model_id, started_by, started_at, ends_at, voters`

func scanRound(r pgx.Row, extra ...any) (quiz.Round, error) {
	var (
		q             quiz.Round
		started, ends int64
	)
	dst := append([]any{&q.ID, &q.GuildID, &q.ChannelID, &q.AppID, &q.Token, &q.Truth, &q.Sentence, &q.Section, &q.ModelID, &q.StartedBy, &started, &ends, &q.Voters}, extra...)
	if err := r.Scan(dst...); err != nil {
		return q, err
	}
	q.StartedAt, q.EndsAt = fromMS(started), fromMS(ends)
	return q, nil
}

// StartRound implements quiz.Store: the insert does nothing when the
// channel's open round (the partial unique index quiz_rounds_open) is
// there, on any replica, and that is ErrBusy.
func (d *DB) StartRound(ctx context.Context, r quiz.Round) error {
	tag, err := d.pool.Exec(ctx, `INSERT INTO quiz_rounds (`+roundColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
		r.ID, r.GuildID, r.ChannelID, r.AppID, r.Token, r.Truth, r.Sentence, r.Section, r.ModelID, r.StartedBy, ms(r.StartedAt), ms(r.EndsAt), r.Voters)
	switch {
	case err != nil:
		return fmt.Errorf("start round in channel %s: %w", r.ChannelID, err)
	case tag.RowsAffected() == 0:
		return fmt.Errorf("start round in channel %s: %w", r.ChannelID, quiz.ErrBusy)
	}
	return nil
}

// CastVote implements quiz.Store. The round's row is read FOR SHARE, so a
// claim that tallies it (FOR UPDATE) waits for the votes under way and
// every vote after it sees the round closed; the vote itself is one insert
// under the primary key (round, member). A vote that makes a round's
// Voters ends it in a statement of its own, after the vote's transaction:
// inside it, two presses at once would each hold the share lock the
// other's update waits for.
func (d *DB) CastVote(ctx context.Context, v quiz.Vote) (quiz.Voted, string, error) {
	voted, counted, voters := quiz.VoteUnknown, "", 0
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		var (
			ends    int64
			tallied bool
		)
		err := tx.QueryRow(ctx, `SELECT ends_at, tallied_at IS NOT NULL, voters FROM quiz_rounds WHERE id = $1 FOR SHARE`, v.RoundID).Scan(&ends, &tallied, &voters)
		switch {
		case isNoRows(err):
			return nil
		case err != nil:
			return err
		}
		if tallied || ms(v.At) >= ends {
			voted = quiz.VoteClosed
			return nil
		}
		err = tx.QueryRow(ctx, `INSERT INTO quiz_votes (round_id, user_id, vote, at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING RETURNING vote`, v.RoundID, v.UserID, v.Vote, ms(v.At)).Scan(&counted)
		switch {
		case isNoRows(err):
			voted = quiz.VoteAlready
			return tx.QueryRow(ctx, `SELECT vote FROM quiz_votes WHERE round_id = $1 AND user_id = $2`, v.RoundID, v.UserID).Scan(&counted)
		case err != nil:
			return err
		}
		voted = quiz.VoteCounted
		return nil
	})
	if err == nil && voted == quiz.VoteCounted && voters > 0 {
		_, err = d.pool.Exec(ctx, `UPDATE quiz_rounds SET ends_at = least(ends_at, $1)
			WHERE id = $2 AND tallied_at IS NULL AND (SELECT count(*) FROM quiz_votes WHERE round_id = $2) >= voters`, ms(v.At), v.RoundID)
	}
	if err != nil {
		return 0, "", fmt.Errorf("vote in round %s: %w", v.RoundID, err)
	}
	return voted, counted, nil
}

// ClaimReveals implements quiz.Claimer: the ended rounds are selected FOR
// UPDATE SKIP LOCKED, so replicas claiming at once take different rounds
// (and a round with votes under way waits for the next poll), leased, and
// those claimed for the first time tallied, all in one transaction.
// Scores are locked in the order of their members' ids, so two claims
// tallying rounds with the same voters cannot deadlock.
func (d *DB) ClaimReveals(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]quiz.Reveal, error) {
	var out []quiz.Reveal
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `WITH due AS (
				SELECT id FROM quiz_rounds
				WHERE revealed_at IS NULL AND ends_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
				ORDER BY tallied_at IS NOT NULL, ends_at, id LIMIT $3
				FOR UPDATE SKIP LOCKED
			)
			UPDATE quiz_rounds r SET lease_until = $2 FROM due WHERE r.id = due.id
			RETURNING r.id, r.guild_id, r.channel_id, r.app_id, r.token, r.truth, r.sentence, r.section, r.model_id,
				r.started_by, r.started_at, r.ends_at, r.voters, r.tallied_at IS NULL`,
			ms(now), ms(now.Add(lease)), limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (quiz.Reveal, error) {
			var rv quiz.Reveal
			var err error
			rv.Round, err = scanRound(r, &rv.Tallied)
			return rv, err
		})
		if err != nil {
			return err
		}
		slices.SortFunc(out, func(a, b quiz.Reveal) int { return cmp.Or(a.EndsAt.Compare(b.EndsAt), cmp.Compare(a.ID, b.ID)) })
		for i := range out {
			rows, err := tx.Query(ctx, `SELECT user_id, vote, at FROM quiz_votes WHERE round_id = $1 ORDER BY at, seq`, out[i].ID)
			if err != nil {
				return err
			}
			id := out[i].ID
			out[i].Votes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (quiz.Vote, error) {
				v := quiz.Vote{RoundID: id}
				var at int64
				err := r.Scan(&v.UserID, &v.Vote, &at)
				v.At = fromMS(at)
				return v, err
			})
			if err != nil {
				return err
			}
		}
		return tally(ctx, tx, out, now)
	})
	if err != nil {
		return nil, fmt.Errorf("claim ended rounds: %w", err)
	}
	return out, nil
}

// tally closes the rounds claimed for the first time and adds their votes
// to the voters' scores by quiz.Tally, locking each score row once, in the
// order of (guild, member).
func tally(ctx context.Context, tx pgx.Tx, claims []quiz.Reveal, now time.Time) error {
	type scored struct {
		rv quiz.Reveal
		v  quiz.Vote
	}
	var all []scored
	for _, rv := range claims {
		if !rv.Tallied {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE quiz_rounds SET tallied_at = $1 WHERE id = $2`, ms(now), rv.ID); err != nil {
			return err
		}
		for _, v := range rv.Votes {
			all = append(all, scored{rv, v})
		}
	}
	// Stable: a member's votes stay in the order of their rounds' ends.
	slices.SortStableFunc(all, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.rv.GuildID, b.rv.GuildID), cmp.Compare(a.v.UserID, b.v.UserID))
	})
	for _, x := range all {
		g, u := x.rv.GuildID, x.v.UserID
		if _, err := tx.Exec(ctx, `INSERT INTO quiz_scores (guild_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, g, u); err != nil {
			return err
		}
		s, err := scanScore(tx.QueryRow(ctx, `SELECT `+scoreColumns+` FROM quiz_scores WHERE guild_id = $1 AND user_id = $2 FOR UPDATE`, g, u))
		if err != nil {
			return err
		}
		s = quiz.Tally(s, x.rv.Truth, x.v, x.rv.StartedAt)
		if _, err := tx.Exec(ctx, `UPDATE quiz_scores SET points = $1, rounds = $2, right_n = $3, streak = $4, best = $5, right_ms = $6, fooled = $7, doubted = $8
			WHERE guild_id = $9 AND user_id = $10`, s.Points, s.Rounds, s.Right, s.Streak, s.Best, s.RightMS, s.Fooled, s.Doubted, g, u); err != nil {
			return err
		}
	}
	return nil
}

// FinishReveal implements quiz.Claimer.
func (d *DB) FinishReveal(ctx context.Context, id string, at time.Time) error {
	if _, err := d.pool.Exec(ctx, `UPDATE quiz_rounds SET revealed_at = $1, token = '', lease_until = NULL WHERE id = $2`, ms(at), id); err != nil {
		return fmt.Errorf("mark round %s revealed: %w", id, err)
	}
	return nil
}

const scoreColumns = `guild_id, user_id, points, rounds, right_n, streak, best, right_ms, fooled, doubted`

func scanScore(r pgx.Row) (quiz.Score, error) {
	var s quiz.Score
	err := r.Scan(&s.GuildID, &s.UserID, &s.Points, &s.Rounds, &s.Right, &s.Streak, &s.Best, &s.RightMS, &s.Fooled, &s.Doubted)
	return s, err
}

// Top implements quiz.Store.
func (d *DB) Top(ctx context.Context, guildID string, n int) ([]quiz.Score, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+scoreColumns+` FROM quiz_scores WHERE guild_id = $1 AND rounds > 0
		ORDER BY points DESC, coalesce(right_ms * 1.0 / nullif(right_n, 0), 1e18), user_id LIMIT $2`, guildID, n)
	if err != nil {
		return nil, fmt.Errorf("leaderboard of guild %s: %w", guildID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (quiz.Score, error) { return scanScore(r) })
	if err != nil {
		return nil, fmt.Errorf("leaderboard of guild %s: %w", guildID, err)
	}
	return out, nil
}

// Score implements quiz.Store.
func (d *DB) Score(ctx context.Context, guildID, userID string) (quiz.Score, bool, error) {
	s, err := scanScore(d.pool.QueryRow(ctx, `SELECT `+scoreColumns+` FROM quiz_scores WHERE guild_id = $1 AND user_id = $2`, guildID, userID))
	switch {
	case isNoRows(err):
		return quiz.Score{}, false, nil
	case err != nil:
		return quiz.Score{}, false, fmt.Errorf("score in guild %s: %w", guildID, err)
	}
	return s, true, nil
}

// Forget implements quiz.Store.
func (d *DB) Forget(ctx context.Context, guildID, userID string) (int, error) {
	var n int64
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM quiz_scores WHERE guild_id = $1 AND user_id = $2`, guildID, userID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM quiz_votes WHERE user_id = $1 AND round_id IN (SELECT id FROM quiz_rounds WHERE guild_id = $2)`, userID, guildID)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("forget a member of guild %s: %w", guildID, err)
	}
	return int(n), nil
}

// CountVotes implements quiz.Counter.
func (d *DB) CountVotes(ctx context.Context, guildID string) (quiz.Counts, error) {
	c := quiz.Counts{Votes: map[string]map[string]int{quiz.Real: {}, quiz.GlowCloud: {}}}
	err := d.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE truth = 'real') FROM quiz_rounds
		WHERE tallied_at IS NOT NULL AND ($1 = '' OR guild_id = $1)`, guildID).Scan(&c.Rounds, &c.RealRounds)
	if err != nil {
		return c, fmt.Errorf("count rounds: %w", err)
	}
	rows, err := d.pool.Query(ctx, `SELECT r.truth, v.vote, count(*) FROM quiz_votes v JOIN quiz_rounds r ON r.id = v.round_id
		WHERE r.tallied_at IS NOT NULL AND ($1 = '' OR r.guild_id = $1) GROUP BY r.truth, v.vote`, guildID)
	if err != nil {
		return c, fmt.Errorf("count votes: %w", err)
	}
	type count struct {
		truth, vote string
		n           int
	}
	counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (count, error) {
		var x count
		err := r.Scan(&x.truth, &x.vote, &x.n)
		return x, err
	})
	if err != nil {
		return c, fmt.Errorf("count votes: %w", err)
	}
	for _, x := range counts {
		if c.Votes[x.truth] != nil {
			c.Votes[x.truth][x.vote] = x.n
		}
	}
	return c, nil
}

// Recent implements quiz.Store.
func (d *DB) Recent(ctx context.Context, channelID string, n int) ([]string, error) {
	rows, err := d.pool.Query(ctx, `SELECT sentence FROM quiz_rounds WHERE channel_id = $1 ORDER BY started_at DESC, id LIMIT $2`, channelID, n)
	if err != nil {
		return nil, fmt.Errorf("recent rounds of channel %s: %w", channelID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("recent rounds of channel %s: %w", channelID, err)
	}
	return out, nil
}
