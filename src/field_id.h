/*
 * field_id.h - the ids of the field registry (field.h), alone so that
 * top_model.h can name its columns by them without the registry's types.
 *
 * Each view lists the ids it shows, in its order: format_table.c's
 * table_cols[], field.c's json_order[] (the JSON object's members),
 * top_model.c's top_mode_cols(). top's per-socket columns come first, up
 * to FIELD_GROUP (its tests walk the ids below it).
 */
#ifndef SOCKSCOPE_FIELD_ID_H
#define SOCKSCOPE_FIELD_ID_H

enum field_id {
	FIELD_STATE, /* the state's name */
	FIELD_LOCAL, /* the table's endpoint text */
	FIELD_PEER,
	FIELD_RECVQ,
	FIELD_SENDQ,
	FIELD_TIMER,   /* top */
	FIELD_RETRANS, /* top */
	FIELD_RTT,     /* top: the rows on screen only */
	FIELD_PROCESS, /* top, with process names */
	FIELD_UID,
	FIELD_INODE,
	FIELD_NETNS,  /* the list with -N or --all-netns; top's --all-netns */
	FIELD_NETID,  /* "tcp", "u_str"; top: with tables beyond TCP, UDP */
	FIELD_GROUP,  /* top's grouped view: the group's key */
	FIELD_COUNT,  /* top's grouped view: sockets in the group */
	FIELD_FAMILY, /* JSON only: "inet", "inet6", "unix" */
	FIELD_STATE_CODE, /* JSON only: the kernel's number */
	FIELD_ENDPOINTS,  /* JSON only: the family's endpoint fields */
	FIELD_DEV,	  /* JSON only: ifindex and dev (bound sockets) */
	FIELD_COOKIE,	  /* JSON only */
	FIELD_MAX,
};

#endif
