# zsh -f zsh_capture.zsh COMPDIR LINE
# Prints the candidates zsh's completion system offers for LINE (one per
# line): an interactive zsh in a pseudo terminal loads the completion from
# COMPDIR, compadd is wrapped to print what it is given, and LINE is typed
# followed by TAB.
zmodload zsh/zpty || exit 2
local compdir=$1 line=$2 out chunk
zpty z zsh -f -i
zpty -w z "PROMPT='' RPROMPT=''"
zpty -w z "fpath=(${(q)compdir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd() { local -a __hits; if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi; builtin compadd -A __hits "$@"; local h; for h in $__hits; do print -r -- "<hit>$h</hit>"; done; builtin compadd "$@"; }'
zpty -w z 'zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" menu no'
# Wait for the shell to be ready (a busy machine starts it slowly), then
# TAB; read until the candidates came and the output went quiet.
zpty -w z "print -r -- '<''ready>'"
for i in {1..300}; do
	if zpty -r -t z chunk; then
		out+=$chunk
		[[ $out == *'<ready>'* ]] && break
	else
		sleep 0.1
	fi
done
out=""
zpty -n -w z "$line"$'\t'
local quiet=0
for i in {1..300}; do
	if zpty -r -t z chunk; then
		out+=$chunk
		quiet=0
	else
		(( quiet++ ))
		[[ $out == *'<hit>'* ]] && (( quiet >= 5 )) && break
		sleep 0.1
	fi
done
zpty -w z $'\x03'
zpty -w z "print -r -- '<''done>'"
for i in {1..100}; do
	if zpty -r -t z chunk; then
		out+=$chunk
		[[ $out == *'<done>'* ]] && break
	else
		sleep 0.1
	fi
done
zpty -d z
for chunk in ${(f)out}; do
	while [[ $chunk == *'<hit>'*'</hit>'* ]]; do
		chunk=${chunk#*<hit>}
		print -r -- ${${chunk%%</hit>*}//\\/}
		chunk=${chunk#*</hit>}
	done
done
