CREATE TABLE "workspace_roles" (
	"workspace_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp(0) with time zone DEFAULT date_trunc('second', now()) NOT NULL,
	CONSTRAINT "workspace_roles_workspace_id_user_id_pk" PRIMARY KEY("workspace_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "labels" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "tolerations" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "quota" jsonb;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "sync_state" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "desired_generation" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "applied_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "sync_error" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "synced_at" timestamp(0) with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "drift" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "quota_usage" jsonb;--> statement-breakpoint
ALTER TABLE "workspace_roles" ADD CONSTRAINT "workspace_roles_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspace_roles" ADD CONSTRAINT "workspace_roles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workspace_roles_user_idx" ON "workspace_roles" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "workspaces_sync_idx" ON "workspaces" USING btree ("cluster_id","sync_state");