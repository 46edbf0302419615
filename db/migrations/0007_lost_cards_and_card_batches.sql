CREATE TABLE `card_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`kind` text NOT NULL,
	`card_count` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "card_batches_count_positive" CHECK("card_batches"."card_count" > 0)
);
--> statement-breakpoint
CREATE INDEX `card_batches_community_idx` ON `card_batches` (`community_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `cards` ADD `batch_id` text;--> statement-breakpoint
CREATE INDEX `cards_household_idx` ON `cards` (`household_id`);--> statement-breakpoint
CREATE INDEX `cards_batch_idx` ON `cards` (`batch_id`);--> statement-breakpoint
-- Hand-added: a card that stopped working (revoked, or reported lost) never works again; a new
-- card with a new number and PIN replaces it. Lost and revoked may still become each other.
CREATE TRIGGER cards_no_reactivate BEFORE UPDATE OF status ON cards WHEN OLD.status <> 'active' AND NEW.status = 'active' BEGIN SELECT RAISE(ABORT, 'a stopped card stays stopped: cards'); END;
