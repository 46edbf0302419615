-- Append-only tables: history is corrected by new rows, never edited (see docs/decisions/001-ledger.md).
CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers BEGIN SELECT RAISE(ABORT, 'append-only: transfers'); END;
--> statement-breakpoint
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers BEGIN SELECT RAISE(ABORT, 'append-only: transfers'); END;
--> statement-breakpoint
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'append-only: postings'); END;
--> statement-breakpoint
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'append-only: postings'); END;
--> statement-breakpoint
CREATE TRIGGER register_entries_no_update BEFORE UPDATE ON register_entries BEGIN SELECT RAISE(ABORT, 'append-only: register_entries'); END;
--> statement-breakpoint
CREATE TRIGGER register_entries_no_delete BEFORE DELETE ON register_entries BEGIN SELECT RAISE(ABORT, 'append-only: register_entries'); END;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only: audit_log'); END;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only: audit_log'); END;
--> statement-breakpoint
CREATE TRIGGER application_events_no_update BEFORE UPDATE ON application_events BEGIN SELECT RAISE(ABORT, 'append-only: application_events'); END;
--> statement-breakpoint
CREATE TRIGGER application_events_no_delete BEFORE DELETE ON application_events BEGIN SELECT RAISE(ABORT, 'append-only: application_events'); END;
--> statement-breakpoint
CREATE TRIGGER credits_no_update BEFORE UPDATE ON credits BEGIN SELECT RAISE(ABORT, 'append-only: credits'); END;
--> statement-breakpoint
CREATE TRIGGER credits_no_delete BEFORE DELETE ON credits BEGIN SELECT RAISE(ABORT, 'append-only: credits'); END;
--> statement-breakpoint
CREATE TRIGGER redemptions_no_update BEFORE UPDATE ON redemptions BEGIN SELECT RAISE(ABORT, 'append-only: redemptions'); END;
--> statement-breakpoint
CREATE TRIGGER redemptions_no_delete BEFORE DELETE ON redemptions BEGIN SELECT RAISE(ABORT, 'append-only: redemptions'); END;
--> statement-breakpoint
CREATE TRIGGER redemption_lines_no_update BEFORE UPDATE ON redemption_lines BEGIN SELECT RAISE(ABORT, 'append-only: redemption_lines'); END;
--> statement-breakpoint
CREATE TRIGGER redemption_lines_no_delete BEFORE DELETE ON redemption_lines BEGIN SELECT RAISE(ABORT, 'append-only: redemption_lines'); END;
--> statement-breakpoint
CREATE TRIGGER redemption_voids_no_update BEFORE UPDATE ON redemption_voids BEGIN SELECT RAISE(ABORT, 'append-only: redemption_voids'); END;
--> statement-breakpoint
CREATE TRIGGER redemption_voids_no_delete BEFORE DELETE ON redemption_voids BEGIN SELECT RAISE(ABORT, 'append-only: redemption_voids'); END;
--> statement-breakpoint
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN SELECT RAISE(ABORT, 'append-only: stock_movements'); END;
--> statement-breakpoint
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements BEGIN SELECT RAISE(ABORT, 'append-only: stock_movements'); END;
