/*
 * field_id.h - the ids of the field registry (field.h), alone so that
 * top_model.h can name its columns by them without the registry's types.
 *
 * The order is the JSON object's (format_json.c writes every field with a
 * JSON key in this order): a new field goes before FIELD_GROUP, and JSON
 * keys are only ever added (the man page's JSON OUTPUT is a contract).
 */
#ifndef SOCKSCOPE_FIELD_ID_H
#define SOCKSCOPE_FIELD_ID_H

enum field_id {
	FIELD_NETID,	  /* "tcp", "u_str" */
	FIELD_FAMILY,	  /* JSON only: "inet", "inet6", "unix" */
	FIELD_STATE,	  /* the state's name */
	FIELD_STATE_CODE, /* JSON only: the kernel's number */
	FIELD_RECVQ,
	FIELD_SENDQ,
	FIELD_ENDPOINTS, /* JSON only: the family's endpoint fields */
	FIELD_DEV,	 /* JSON only: ifindex and dev (bound sockets) */
	FIELD_INODE,
	FIELD_UID,
	FIELD_COOKIE, /* JSON only */
	FIELD_LOCAL,  /* the table's endpoint text */
	FIELD_PEER,
	FIELD_TIMER,   /* top */
	FIELD_RETRANS, /* top */
	FIELD_RTT,     /* top: the rows on screen only */
	FIELD_PROCESS, /* top, with process names */
	FIELD_NETNS,   /* the list, with -N or --all-netns */
	FIELD_GROUP,   /* top's grouped view: the group's key */
	FIELD_COUNT,   /* top's grouped view: sockets in the group */
	FIELD_MAX,
};

#endif
