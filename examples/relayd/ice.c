/*
 * ICE ingest path (libnice): agents behind NAT reach relayd through a
 * negotiated UDP path.  Received datagrams are whole frames and go to the
 * same queue as TCP frames.  The agent runs on its own GMainContext thread.
 */
#include <glib.h>
#include <glib-object.h>
#include <nice/agent.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "relayd.h"

struct relayd_ice {
	struct relayd_ctx *ctx;
	GMainContext *mc;
	GMainLoop *loop;
	GThread *thread;
	NiceAgent *agent;
	guint stream_id;
	gulong gathering_done_id;
	gboolean connected;
};

static void on_recv(NiceAgent *agent, guint stream_id, guint component_id,
		    guint len, gchar *buf, gpointer user_data)
{
	struct relayd_ice *ice = user_data;
	struct frame f;

	if (len == 0 || len > RELAYD_MAX_FRAME)
		return;
	f.data = malloc(len);
	if (!f.data)
		return;
	memcpy(f.data, buf, len);
	f.len = len;
	__atomic_add_fetch(&ice->ctx->frames_in, 1, __ATOMIC_RELAXED);
	if (queue_push(&ice->ctx->queue, f) < 0) {
		__atomic_add_fetch(&ice->ctx->frames_dropped, 1, __ATOMIC_RELAXED);
		free(f.data);
	}
}

static void on_state_changed(NiceAgent *agent, guint stream_id,
			     guint component_id, guint state, gpointer user_data)
{
	struct relayd_ice *ice = user_data;

	ice->connected = state == NICE_COMPONENT_STATE_READY;
	syslog(LOG_INFO, "ice stream %u component %u: %s", stream_id,
	       component_id, nice_component_state_to_string(state));
}

static void on_gathering_done(NiceAgent *agent, guint stream_id, gpointer user_data)
{
	gchar *sdp = nice_agent_generate_local_sdp(agent);

	syslog(LOG_INFO, "ice candidates gathered for stream %u", stream_id);
	syslog(LOG_DEBUG, "local sdp:\n%s", sdp);
	g_free(sdp);
}

static gpointer ice_loop_main(gpointer data)
{
	struct relayd_ice *ice = data;

	g_main_context_push_thread_default(ice->mc);
	g_main_loop_run(ice->loop);
	g_main_context_pop_thread_default(ice->mc);
	return NULL;
}

struct relayd_ice *relayd_ice_start(struct relayd_ctx *ctx)
{
	struct relayd_ice *ice = g_new0(struct relayd_ice, 1);
	GError *err = NULL;

	ice->ctx = ctx;
	ice->mc = g_main_context_new();
	ice->loop = g_main_loop_new(ice->mc, FALSE);
	ice->agent = nice_agent_new(ice->mc, NICE_COMPATIBILITY_RFC5245);
	g_object_set(ice->agent, "controlling-mode", FALSE, NULL);

	g_signal_connect(ice->agent, "component-state-changed",
			 G_CALLBACK(on_state_changed), ice);
	ice->gathering_done_id = g_signal_connect(
		ice->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), ice);

	ice->stream_id = nice_agent_add_stream(ice->agent, 1);
	if (ice->stream_id == 0)
		goto fail;
	nice_agent_attach_recv(ice->agent, ice->stream_id, 1, ice->mc, on_recv, ice);
	if (!nice_agent_gather_candidates(ice->agent, ice->stream_id))
		goto fail;

	ice->thread = g_thread_try_new("relayd-ice", ice_loop_main, ice, &err);
	if (!ice->thread) {
		syslog(LOG_ERR, "cannot start ICE thread: %s", err->message);
		g_error_free(err);
		goto fail;
	}
	return ice;

fail:
	g_signal_handler_disconnect(ice->agent, ice->gathering_done_id);
	g_object_unref(ice->agent);
	g_main_loop_unref(ice->loop);
	g_main_context_unref(ice->mc);
	g_free(ice);
	return NULL;
}

void relayd_ice_stop(struct relayd_ice *ice)
{
	if (!ice)
		return;
	g_main_loop_quit(ice->loop);
	g_thread_join(ice->thread);
	g_signal_handler_disconnect(ice->agent, ice->gathering_done_id);
	nice_agent_remove_stream(ice->agent, ice->stream_id);
	g_object_unref(ice->agent);
	g_main_loop_unref(ice->loop);
	g_main_context_unref(ice->mc);
	g_free(ice);
}
