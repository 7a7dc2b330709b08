# fish completion for sockscope(8)

set -l states established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait \
	closed close-wait last-ack listening closing all connected synchronized \
	bucket big

complete -c sockscope -f
# sockscope explain TOPIC: a state, a sysctl, or "port :PORT".
set -l explain_topics port ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE \
	CLOSE_WAIT LAST_ACK LISTEN CLOSING established syn-sent syn-recv \
	fin-wait-1 fin-wait-2 time-wait closed close-wait last-ack listening \
	closing net.ipv4.tcp_fin_timeout net.ipv4.tcp_tw_reuse \
	net.ipv4.tcp_tw_reuse_delay net.ipv4.tcp_tw_recycle \
	net.ipv4.tcp_timestamps net.ipv4.tcp_max_tw_buckets \
	net.ipv4.tcp_ehash_entries net.ipv4.tcp_max_orphans net.ipv4.tcp_orphan_retries \
	net.ipv4.tcp_syncookies net.ipv4.tcp_abort_on_overflow \
	net.ipv4.tcp_max_syn_backlog net.core.somaxconn net.ipv4.tcp_retries2 \
	net.ipv4.tcp_syn_retries net.ipv4.tcp_synack_retries \
	net.ipv4.tcp_keepalive_time net.ipv4.ip_local_port_range \
	net.ipv4.ip_local_reserved_ports net.ipv4.tcp_mem
complete -c sockscope -n __fish_use_subcommand -a explain -d 'TCP states, sysctls and ports explained'
complete -c sockscope -n __fish_use_subcommand -a diagram -d 'TCP state machine with live counts'
complete -c sockscope -n '__fish_seen_subcommand_from explain' -a "$explain_topics"
complete -c sockscope -n __fish_use_subcommand -a list -d 'list sockets (default)'
complete -c sockscope -n __fish_use_subcommand -a summary -d 'counts and breakdowns'
complete -c sockscope -n __fish_use_subcommand -a advise -d 'tuning advice'
complete -c sockscope -s t -l tcp -d 'TCP sockets'
complete -c sockscope -s u -l udp -d 'UDP sockets'
complete -c sockscope -s x -l unix -d 'UNIX sockets'
complete -c sockscope -s 0 -l packet -d 'PACKET sockets'
complete -c sockscope -s M -l mptcp -d 'MPTCP sockets'
complete -c sockscope -s w -l raw -d 'RAW sockets'
complete -c sockscope -s S -l sctp -d 'SCTP sockets'
complete -c sockscope -l vsock -d 'VSOCK sockets'
complete -c sockscope -l tipc -d 'TIPC sockets (a notice only)'
complete -c sockscope -l xdp -d 'XDP sockets (a notice only)'
complete -c sockscope -l dccp -d 'DCCP sockets (a notice only)'
complete -c sockscope -s A -l query -x -a 'inet tcp udp unix unix_stream unix_dgram unix_seqpacket packet packet_raw packet_dgram netlink mptcp raw sctp vsock vsock_stream vsock_dgram vsock_seqpacket tipc xdp dccp all u_str u_dgr u_seq p_raw p_dgr v_str v_dgr v_seq nl' -d 'socket tables'
complete -c sockscope -l socket -x -a 'inet tcp udp unix unix_stream unix_dgram unix_seqpacket packet packet_raw packet_dgram netlink mptcp raw sctp vsock vsock_stream vsock_dgram vsock_seqpacket tipc xdp dccp all u_str u_dgr u_seq p_raw p_dgr v_str v_dgr v_seq nl' -d 'socket tables (-A)'
complete -c sockscope -s f -l family -x -a 'inet inet6 unix link netlink vsock tipc xdp' -d 'socket family'
complete -c sockscope -s 4 -l ipv4 -d 'IPv4 only'
complete -c sockscope -s 6 -l ipv6 -d 'IPv6 only'
complete -c sockscope -s l -l listening -d 'listening and unconnected sockets only'
complete -c sockscope -s a -l all -d 'sockets in every state'
complete -c sockscope -s n -l numeric -d 'numeric ports'
complete -c sockscope -s H -l no-header -d 'no header line'
complete -c sockscope -s j -l json -d 'JSON output'
complete -c sockscope -l format -x -a 'table json ndjson prometheus' -d 'output format'
complete -c sockscope -s s -l summary -d 'counts and breakdowns (the summary command)'
complete -c sockscope -l top -x -d 'rows per breakdown'
complete -c sockscope -l interval -x -d 'seconds between two counter samples (advise)'
complete -c sockscope -l root -x -a '(__fish_complete_directories)' -d 'read /proc and /etc under DIR'
complete -c sockscope -l save -r -F -d 'write the raw netlink dump to FILE'
complete -c sockscope -l load -r -F -d 'list from a saved dump'
complete -c sockscope -s F -l filter -r -F -d 'read the filter expression from FILE'
complete -c sockscope -n __fish_use_subcommand -a kill -d 'close matching TCP sockets'
complete -c sockscope -s p -l processes -d 'owning processes (name, pid, fd)'
complete -c sockscope -s o -l options -d 'timers'
complete -c sockscope -s e -l extended -d 'uid, inode, cookie, fwmark, cgroup, v6only, shutdown'
complete -c sockscope -s m -l memory -d 'socket memory (skmem)'
complete -c sockscope -s i -l info -d 'TCP internals (tcp_info)'
complete -c sockscope -s N -l net -r -F -a '(ls /run/netns 2>/dev/null)' -d 'network namespace NAME, PATH, container id prefix or unit'
complete -c sockscope -l all-netns -d 'every network namespace on the host (list, summary, advise, top), labelled by container, pod or service'
complete -c sockscope -n __fish_use_subcommand -a top -d 'live view'
complete -c sockscope -s d -l delay -x -d 'top: refresh interval in seconds'
complete -c sockscope -s b -l batch -d 'top: print text snapshots instead of the screen'
complete -c sockscope -l iterations -x -d 'top: stop after N refreshes'
complete -c sockscope -l rows -x -d 'top --batch: print the first N rows'
complete -c sockscope -l no-color -d 'top: no colours'
complete -c sockscope -l readonly -d 'top: never close sockets from the view'
complete -c sockscope -n __fish_use_subcommand -a watch -d 'sockets as they close'
complete -c sockscope -l count -x -d 'watch: stop after N closes'
complete -c sockscope -l duration -x -d 'watch: stop after S seconds'
complete -c sockscope -l transitions -d 'watch: every TCP state transition (BPF backend)'
complete -c sockscope -l yes -d 'kill: close the sockets (default: only list them)'
complete -c sockscope -l force -d 'kill --yes: also listening sockets or more than 100'
complete -c sockscope -s h -l help -d 'show usage'
complete -c sockscope -s V -l version -d 'show version'

# The word before the cursor: after `state` only states, after `dport`
# only operators, and filter keywords only where a keyword can start.
function __sockscope_prev_is
	set -l tok (commandline -opc)
	contains -- $tok[-1] $argv
end
set -l valued state exclude sport dport dev uid pid comm src dst fwmark cgroup
complete -c sockscope -n "not __sockscope_prev_is $valued; and not __fish_seen_subcommand_from explain" \
	-a 'state exclude' -d 'filter by state'
complete -c sockscope -n "not __sockscope_prev_is $valued; and not __fish_seen_subcommand_from explain" \
	-a 'src dst sport dport dev fwmark cgroup autobound uid pid comm not and or' -d 'filter expression'
complete -c sockscope -n '__sockscope_prev_is state exclude' -a "$states"
complete -c sockscope -n '__sockscope_prev_is sport dport' -a '= != \< \> \<= \>= eq ne lt gt le ge'
complete -c sockscope -n '__sockscope_prev_is dev' -a '(ls /sys/class/net 2>/dev/null)'
complete -c sockscope -n '__sockscope_prev_is uid' -a '(__fish_complete_users)'
complete -c sockscope -n '__sockscope_prev_is pid' -a '(__fish_complete_pids)'
