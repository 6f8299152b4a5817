#!/bin/sh
# Backups of the Linggong database: pg_dump's custom format (-Fc) into BACKUP_DIR, kept by a
# daily/weekly retention. The compose file's `backup` service runs `loop`; deploy/RESTORE.md
# says how to get a database back (`restore`).
#
#   backup.sh loop              a backup now, then every BACKUP_INTERVAL_SECONDS, pruning after each
#   backup.sh once              one backup, then prune
#   backup.sh prune             apply the retention to BACKUP_DIR
#   backup.sh check             exit 0 when the newest backup is younger than BACKUP_MAX_AGE_SECONDS
#   backup.sh restore FILE DB   create database DB (it must not exist) and restore FILE into it
#
# The database is reached the libpq way: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.
# pg_dump reads everything in one repeatable-read snapshot, so a backup holds exactly what
# was committed when it began, while the app keeps writing.
#
# Retention: the newest backup of each of the BACKUP_KEEP_DAILY most recent days that have
# one, and of each of the BACKUP_KEEP_WEEKLY most recent ISO weeks that have one (by the UTC
# time in the file name, so a pause in backups never deletes the last good ones). Files that
# are not named like a backup are left alone.
set -eu

BACKUP_DIR=${BACKUP_DIR:-/backups}
BACKUP_INTERVAL_SECONDS=${BACKUP_INTERVAL_SECONDS:-86400}
BACKUP_RETRY_SECONDS=${BACKUP_RETRY_SECONDS:-300}
BACKUP_KEEP_DAILY=${BACKUP_KEEP_DAILY:-7}
BACKUP_KEEP_WEEKLY=${BACKUP_KEEP_WEEKLY:-8}
BACKUP_MAX_AGE_SECONDS=${BACKUP_MAX_AGE_SECONDS:-$((2 * BACKUP_INTERVAL_SECONDS + 3600))}
NAME_RE='^linggong-[0-9]{8}T[0-9]{6}Z\.dump$'

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) backup: $*" >&2; }

whole() {  # whole NAME VALUE MIN: VALUE is a whole number >= MIN, or exit 2 saying which
    case $2 in '' | *[!0-9]*) log "$1 must be a whole number, not '$2'"; exit 2 ;; esac
    [ "$2" -ge "$3" ] || { log "$1 must be at least $3, not $2"; exit 2; }
}

whole BACKUP_INTERVAL_SECONDS "$BACKUP_INTERVAL_SECONDS" 60
whole BACKUP_RETRY_SECONDS "$BACKUP_RETRY_SECONDS" 1
whole BACKUP_KEEP_DAILY "$BACKUP_KEEP_DAILY" 1
whole BACKUP_KEEP_WEEKLY "$BACKUP_KEEP_WEEKLY" 0
whole BACKUP_MAX_AGE_SECONDS "$BACKUP_MAX_AGE_SECONDS" 60

backups() {  # the backups in BACKUP_DIR, newest first
    for path in "$BACKUP_DIR"/linggong-*.dump; do
        name=${path##*/}
        if printf '%s\n' "$name" | grep -qE "$NAME_RE"; then printf '%s\n' "$name"; fi
    done | sort -r
}

backup_once() {
    mkdir -p "$BACKUP_DIR"
    rm -f "$BACKUP_DIR"/.partial-*  # left by a dump that was killed
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    partial="$BACKUP_DIR/.partial-$stamp"
    log "dumping ${PGDATABASE:-?} on ${PGHOST:-local}"
    if ! pg_dump --format=custom --file="$partial" || ! pg_restore --list "$partial" >/dev/null
    then
        rm -f "$partial"
        log "FAILED: no backup written"
        return 1
    fi
    mv "$partial" "$BACKUP_DIR/linggong-$stamp.dump"  # only a whole dump gets a backup's name
    log "wrote linggong-$stamp.dump ($(wc -c <"$BACKUP_DIR/linggong-$stamp.dump") bytes)"
}

prune() {
    days=" " weeks=" " ndays=0 nweeks=0
    for name in $(backups); do
        day=${name#linggong-}
        day=${day%%T*}
        week=$(date -u -d "$day" +%G-W%V)
        keep=no
        case $days in *" $day "*) ;; *)
            if [ "$ndays" -lt "$BACKUP_KEEP_DAILY" ]; then
                days="$days$day " ndays=$((ndays + 1)) keep=yes
            fi ;;
        esac
        case $weeks in *" $week "*) ;; *)
            if [ "$nweeks" -lt "$BACKUP_KEEP_WEEKLY" ]; then
                weeks="$weeks$week " nweeks=$((nweeks + 1)) keep=yes
            fi ;;
        esac
        if [ $keep = no ]; then
            rm -f "$BACKUP_DIR/$name"
            log "pruned $name"
        fi
    done
}

check() {
    newest=$(backups | head -n 1)
    [ -n "$newest" ] || { log "no backup in $BACKUP_DIR"; return 1; }
    age=$(($(date +%s) - $(date -r "$BACKUP_DIR/$newest" +%s)))
    [ "$age" -lt "$BACKUP_MAX_AGE_SECONDS" ] || { log "newest backup $newest is ${age}s old"; return 1; }
}

restore() {
    [ -f "$1" ] || { log "no backup at $1"; return 2; }
    createdb "$2"  # fails if it exists: a restore never writes over a database
    pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$2" "$1"
    log "restored $1 into database $2"
}

case ${1:-loop} in
    loop)
        while :; do
            if backup_once; then
                prune
                sleep "$BACKUP_INTERVAL_SECONDS"
            else
                sleep "$BACKUP_RETRY_SECONDS"
            fi
        done ;;
    once) backup_once && prune ;;
    prune) prune ;;
    check) check ;;
    restore)
        [ $# -eq 3 ] || { log "usage: $0 restore FILE NEW_DATABASE"; exit 2; }
        restore "$2" "$3" ;;
    *) log "usage: $0 loop|once|prune|check|restore FILE NEW_DATABASE"; exit 2 ;;
esac
