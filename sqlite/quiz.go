package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/glowcloud/glowcloud/quiz"
)

const roundColumns = `id, guild_id, channel_id, app_id, token, truth, sentence, section, model_id, started_by, started_at, ends_at, voters`

func scanRound(r scanner, extra ...any) (quiz.Round, error) {
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
// there, and that is ErrBusy.
func (d *DB) StartRound(ctx context.Context, r quiz.Round) error {
	st, err := d.prepare(ctx, d.w, startRoundSQL)
	if err != nil {
		return fmt.Errorf("start round in channel %s: %w", r.ChannelID, err)
	}
	_, err = d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.StmtContext(ctx, st[0]).ExecContext(ctx,
			r.ID, r.GuildID, r.ChannelID, r.AppID, r.Token, r.Truth, r.Sentence, r.Section, r.ModelID, r.StartedBy, ms(r.StartedAt), ms(r.EndsAt), r.Voters)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return false, cmp.Or(err, quiz.ErrBusy)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("start round in channel %s: %w", r.ChannelID, err)
	}
	return nil
}

// CastVote implements quiz.Store, in one IMMEDIATE transaction: the round
// is read, and the vote inserted under the primary key (round, member).
func (d *DB) CastVote(ctx context.Context, v quiz.Vote) (quiz.Voted, string, error) {
	voted, counted := quiz.VoteUnknown, ""
	st, err := d.prepare(ctx, d.w, voteRoundSQL, voteInsertSQL, voteAgainSQL, voteEndSQL)
	if err != nil {
		return 0, "", fmt.Errorf("vote in round %s: %w", v.RoundID, err)
	}
	_, err = d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		var (
			ends    int64
			tallied bool
			voters  int
		)
		err := tx.StmtContext(ctx, st[0]).QueryRowContext(ctx, v.RoundID).Scan(&ends, &tallied, &voters)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return false, nil
		case err != nil:
			return false, err
		}
		if tallied || ms(v.At) >= ends {
			voted = quiz.VoteClosed
			return false, nil
		}
		err = tx.StmtContext(ctx, st[1]).QueryRowContext(ctx, v.RoundID, v.UserID, v.Vote, ms(v.At)).Scan(&counted)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			voted = quiz.VoteAlready
			return false, tx.StmtContext(ctx, st[2]).QueryRowContext(ctx, v.RoundID, v.UserID).Scan(&counted)
		case err != nil:
			return false, err
		}
		voted = quiz.VoteCounted
		if voters > 0 {
			_, err = tx.StmtContext(ctx, st[3]).ExecContext(ctx, ms(v.At), v.RoundID)
		}
		return true, err
	})
	if err != nil {
		return 0, "", fmt.Errorf("vote in round %s: %w", v.RoundID, err)
	}
	return voted, counted, nil
}

// ClaimReveals implements quiz.Claimer. SQLite runs the transaction under
// the database's write lock, so no two claims, in this process or
// another, return the same round while its lease runs.
func (d *DB) ClaimReveals(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]quiz.Reveal, error) {
	var out []quiz.Reveal
	claim, err := d.polls.claimReveals.prepared(ctx, d.w, claimRevealsSQL)
	if err != nil {
		return nil, fmt.Errorf("claim ended rounds: %w", err)
	}
	st, err := d.prepare(ctx, d.w, roundVotesSQL, tallyRoundSQL, tallyScoreSQL, tallyReadSQL, tallyWriteSQL)
	if err != nil {
		return nil, fmt.Errorf("claim ended rounds: %w", err)
	}
	_, err = d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		out = out[:0]
		rows, err := tx.StmtContext(ctx, claim).QueryContext(ctx, ms(now), ms(now.Add(lease)), limit)
		if err != nil {
			return false, err
		}
		for rows.Next() {
			var rv quiz.Reveal
			if rv.Round, err = scanRound(rows, &rv.Tallied); err != nil {
				rows.Close()
				return false, err
			}
			out = append(out, rv)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return false, err
		}
		slices.SortFunc(out, func(a, b quiz.Reveal) int { return cmp.Or(a.EndsAt.Compare(b.EndsAt), cmp.Compare(a.ID, b.ID)) })
		for i := range out {
			if out[i].Votes, err = roundVotes(ctx, tx.StmtContext(ctx, st[0]), out[i].ID); err != nil {
				return false, err
			}
		}
		return true, tally(ctx, tx, st[1:], out, now)
	})
	if err != nil {
		return nil, fmt.Errorf("claim ended rounds: %w", err)
	}
	return out, nil
}

// The statements of a vote (CastVote), of a round's start, and of a claim
// of rounds (ClaimReveals: roundVotes, then tally's in order).
const (
	startRoundSQL = `INSERT INTO quiz_rounds (` + roundColumns + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	voteRoundSQL  = `SELECT ends_at, tallied_at IS NOT NULL, voters FROM quiz_rounds WHERE id = ?`
	voteInsertSQL = `INSERT INTO quiz_votes (round_id, user_id, vote, at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING vote`
	voteAgainSQL = `SELECT vote FROM quiz_votes WHERE round_id = ? AND user_id = ?`
	voteEndSQL   = `UPDATE quiz_rounds SET ends_at = min(ends_at, ?1)
				WHERE id = ?2 AND (SELECT count(*) FROM quiz_votes WHERE round_id = ?2) >= voters`
	roundVotesSQL = `SELECT user_id, vote, at FROM quiz_votes WHERE round_id = ? ORDER BY at, rowid`
	tallyRoundSQL = `UPDATE quiz_rounds SET tallied_at = ? WHERE id = ?`
	tallyScoreSQL = `INSERT INTO quiz_scores (guild_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	tallyReadSQL  = `SELECT ` + scoreColumns + ` FROM quiz_scores WHERE guild_id = ? AND user_id = ?`
	tallyWriteSQL = `UPDATE quiz_scores SET points = ?, rounds = ?, right_n = ?, streak = ?, best = ?, right_ms = ?, fooled = ?, doubted = ?
				WHERE guild_id = ? AND user_id = ?`
	recentSQL = `SELECT sentence FROM quiz_rounds WHERE channel_id = ? ORDER BY started_at DESC, id LIMIT ?`
)

// roundVotes returns a round's votes, oldest first, by roundVotesSQL's
// statement.
func roundVotes(ctx context.Context, votes *sql.Stmt, id string) ([]quiz.Vote, error) {
	rows, err := votes.QueryContext(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.Vote
	for rows.Next() {
		v := quiz.Vote{RoundID: id}
		var at int64
		if err := rows.Scan(&v.UserID, &v.Vote, &at); err != nil {
			return nil, err
		}
		v.At = fromMS(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// tally closes the rounds claimed for the first time and adds their votes
// to the voters' scores by quiz.Tally, in tx, with st the statements of
// tallyRoundSQL, tallyScoreSQL, tallyReadSQL and tallyWriteSQL.
func tally(ctx context.Context, tx *sql.Tx, st []*sql.Stmt, claims []quiz.Reveal, now time.Time) error {
	var round, score, read, write *sql.Stmt
	for _, rv := range claims {
		if !rv.Tallied {
			continue
		}
		if round == nil {
			round, score, read, write = tx.StmtContext(ctx, st[0]), tx.StmtContext(ctx, st[1]), tx.StmtContext(ctx, st[2]), tx.StmtContext(ctx, st[3])
		}
		if _, err := round.ExecContext(ctx, ms(now), rv.ID); err != nil {
			return err
		}
		for _, v := range rv.Votes {
			if _, err := score.ExecContext(ctx, rv.GuildID, v.UserID); err != nil {
				return err
			}
			s, err := scanScore(read.QueryRowContext(ctx, rv.GuildID, v.UserID))
			if err != nil {
				return err
			}
			s = quiz.Tally(s, rv.Truth, v, rv.StartedAt)
			if _, err := write.ExecContext(ctx, s.Points, s.Rounds, s.Right, s.Streak, s.Best, s.RightMS, s.Fooled, s.Doubted, rv.GuildID, v.UserID); err != nil {
				return err
			}
		}
	}
	return nil
}

// FinishReveal implements quiz.Claimer.
func (d *DB) FinishReveal(ctx context.Context, id string, at time.Time) error {
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(ctx, `UPDATE quiz_rounds SET revealed_at = ?, token = '', lease_until = NULL WHERE id = ?`, ms(at), id)
		return true, err
	})
	if err != nil {
		return fmt.Errorf("mark round %s revealed: %w", id, err)
	}
	return nil
}

const scoreColumns = `guild_id, user_id, points, rounds, right_n, streak, best, right_ms, fooled, doubted`

func scanScore(r scanner) (quiz.Score, error) {
	var s quiz.Score
	err := r.Scan(&s.GuildID, &s.UserID, &s.Points, &s.Rounds, &s.Right, &s.Streak, &s.Best, &s.RightMS, &s.Fooled, &s.Doubted)
	return s, err
}

// Top implements quiz.Store.
func (d *DB) Top(ctx context.Context, guildID string, n int) ([]quiz.Score, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+scoreColumns+` FROM quiz_scores WHERE guild_id = ? AND rounds > 0
		ORDER BY points DESC, coalesce(right_ms * 1.0 / nullif(right_n, 0), 1e18), user_id LIMIT ?`, guildID, n)
	if err != nil {
		return nil, fmt.Errorf("leaderboard of guild %s: %w", guildID, err)
	}
	defer rows.Close()
	var out []quiz.Score
	for rows.Next() {
		s, err := scanScore(rows)
		if err != nil {
			return nil, fmt.Errorf("leaderboard of guild %s: %w", guildID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("leaderboard of guild %s: %w", guildID, err)
	}
	return out, nil
}

// Score implements quiz.Store.
func (d *DB) Score(ctx context.Context, guildID, userID string) (quiz.Score, bool, error) {
	s, err := scanScore(d.db.QueryRowContext(ctx, `SELECT `+scoreColumns+` FROM quiz_scores WHERE guild_id = ? AND user_id = ?`, guildID, userID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return quiz.Score{}, false, nil
	case err != nil:
		return quiz.Score{}, false, fmt.Errorf("score in guild %s: %w", guildID, err)
	}
	return s, true, nil
}

// Forget implements quiz.Store.
func (d *DB) Forget(ctx context.Context, guildID, userID string) (int, error) {
	var n int64
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM quiz_scores WHERE guild_id = ? AND user_id = ?`, guildID, userID); err != nil {
			return false, err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM quiz_votes WHERE user_id = ? AND round_id IN (SELECT id FROM quiz_rounds WHERE guild_id = ?)`, userID, guildID)
		if err != nil {
			return false, err
		}
		n, err = res.RowsAffected()
		return true, err
	})
	if err != nil {
		return 0, fmt.Errorf("forget a member of guild %s: %w", guildID, err)
	}
	return int(n), nil
}

// CountVotes implements quiz.Counter.
func (d *DB) CountVotes(ctx context.Context, guildID string) (quiz.Counts, error) {
	c := quiz.Counts{Votes: map[string]map[string]int{quiz.Real: {}, quiz.GlowCloud: {}}}
	err := d.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(truth = 'real'), 0) FROM quiz_rounds
		WHERE tallied_at IS NOT NULL AND (?1 = '' OR guild_id = ?1)`, guildID).Scan(&c.Rounds, &c.RealRounds)
	if err != nil {
		return c, fmt.Errorf("count rounds: %w", err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT r.truth, v.vote, count(*) FROM quiz_votes v JOIN quiz_rounds r ON r.id = v.round_id
		WHERE r.tallied_at IS NOT NULL AND (?1 = '' OR r.guild_id = ?1) GROUP BY r.truth, v.vote`, guildID)
	if err != nil {
		return c, fmt.Errorf("count votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var truth, vote string
		var n int
		if err := rows.Scan(&truth, &vote, &n); err != nil {
			return c, fmt.Errorf("count votes: %w", err)
		}
		if c.Votes[truth] != nil {
			c.Votes[truth][vote] = n
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("count votes: %w", err)
	}
	return c, nil
}

// Recent implements quiz.Store.
func (d *DB) Recent(ctx context.Context, channelID string, n int) ([]string, error) {
	st, err := d.prepare(ctx, d.db, recentSQL)
	if err != nil {
		return nil, fmt.Errorf("recent rounds of channel %s: %w", channelID, err)
	}
	rows, err := st[0].QueryContext(ctx, channelID, n)
	if err != nil {
		return nil, fmt.Errorf("recent rounds of channel %s: %w", channelID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("recent rounds of channel %s: %w", channelID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recent rounds of channel %s: %w", channelID, err)
	}
	return out, nil
}
