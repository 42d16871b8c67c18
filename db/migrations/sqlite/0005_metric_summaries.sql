CREATE TABLE `cluster_metric_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cluster_id` integer NOT NULL,
	`collected_at` integer NOT NULL,
	`summary` text NOT NULL,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cluster_metric_history_cluster_idx` ON `cluster_metric_history` (`cluster_id`,`collected_at`);--> statement-breakpoint
CREATE INDEX `cluster_metric_history_at_idx` ON `cluster_metric_history` (`collected_at`);--> statement-breakpoint
CREATE TABLE `cluster_metric_summaries` (
	`cluster_id` integer PRIMARY KEY NOT NULL,
	`collected_at` integer NOT NULL,
	`summary` text NOT NULL,
	`error` text,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
