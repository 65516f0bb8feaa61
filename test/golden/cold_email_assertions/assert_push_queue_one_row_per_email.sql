with

queue as (

    select * from `cold-email-local.cold_email.push_queue`

),

duplicates as (

    select
        email,
        count(*) as rows_for_email

    from queue
    group by email
    having count(*) > 1

),

rank_stats as (

    select
        count(*) as queued,
        min(rank) as min_rank,
        max(rank) as max_rank,
        count(distinct rank) as distinct_ranks

    from queue

),

rank_gaps as (

    select * from rank_stats
    where queued > 0 and (min_rank <> 1 or max_rank <> queued or distinct_ranks <> queued)

)

select 'duplicate_email' as problem, rows_for_email as value from duplicates
union all
select 'rank_gap' as problem, queued as value from rank_gaps
