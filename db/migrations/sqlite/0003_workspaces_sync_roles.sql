CREATE TABLE `workspace_roles` (
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`role` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`workspace_id`, `user_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `workspace_roles_user_idx` ON `workspace_roles` (`user_id`);--> statement-breakpoint
ALTER TABLE `workspaces` ADD `labels` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `tolerations` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `quota` text;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `sync_state` text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `desired_generation` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `applied_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `sync_error` text;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `synced_at` integer;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `drift` text;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `quota_usage` text;--> statement-breakpoint
CREATE INDEX `workspaces_sync_idx` ON `workspaces` (`cluster_id`,`sync_state`);