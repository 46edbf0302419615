CREATE TABLE `region_audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`region_id` text NOT NULL,
	`actor` text NOT NULL,
	`actor_role` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`details` text,
	`ip` text,
	`user_agent` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `region_audit_region_idx` ON `region_audit_log` (`region_id`,`seq`);--> statement-breakpoint
CREATE TRIGGER region_audit_log_no_update BEFORE UPDATE ON region_audit_log BEGIN SELECT RAISE(ABORT, 'append-only: region_audit_log'); END;
--> statement-breakpoint
CREATE TRIGGER region_audit_log_no_delete BEFORE DELETE ON region_audit_log BEGIN SELECT RAISE(ABORT, 'append-only: region_audit_log'); END;
