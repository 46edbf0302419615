ALTER TABLE `applications` ADD `deed_key` text;--> statement-breakpoint
-- Hand-added (docs/decisions/005): key the live applications already answering a notice, only the
-- first of each notice + rule + member (or household) group, so older duplicates (already
-- certified, even credited) cannot make the UNIQUE index below fail; they stay unkeyed and the
-- reviewer's queue marks them as likely duplicates.
UPDATE `applications` SET `deed_key` = `notice_id` || ':' || `rule_id` || ':' || COALESCE('m:' || `member_id`, 'h:' || `household_id`)
WHERE `notice_id` IS NOT NULL AND `status` NOT IN ('rejected', 'cancelled')
  AND NOT EXISTS (
    SELECT 1 FROM `applications` b
    WHERE b.`notice_id` = `applications`.`notice_id` AND b.`rule_id` = `applications`.`rule_id`
      AND COALESCE('m:' || b.`member_id`, 'h:' || b.`household_id`) = COALESCE('m:' || `applications`.`member_id`, 'h:' || `applications`.`household_id`)
      AND b.`status` NOT IN ('rejected', 'cancelled')
      AND (b.`created_at` < `applications`.`created_at` OR (b.`created_at` = `applications`.`created_at` AND b.`id` < `applications`.`id`))
  );--> statement-breakpoint
CREATE UNIQUE INDEX `applications_one_deed_uq` ON `applications` (`deed_key`) WHERE status NOT IN ('rejected', 'cancelled');
