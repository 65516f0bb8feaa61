with

budget as (

    select * from `cold-email-local.cold_email.push_budget`

),

final as (

    select
        budget.pull_run_id,
        (select count(*) from `cold-email-local.cold_email.push_queue`) as push_queue_rows,
        coalesce(TO_HEX(MD5((select string_agg(action_id, ',' order by action_id asc nulls last) from `cold-email-local.cold_email.push_queue`))), '') as push_queue_ids_md5,
        (select count(*) from `cold-email-local.cold_email.drain_queue`) as drain_queue_rows,
        coalesce(TO_HEX(MD5((select string_agg(action_id, ',' order by action_id asc nulls last) from `cold-email-local.cold_email.drain_queue`))), '') as drain_queue_ids_md5,
        (select count(*) from `cold-email-local.cold_email.block_queue`) as block_queue_rows,
        coalesce(TO_HEX(MD5((select string_agg(action_id, ',' order by action_id asc nulls last) from `cold-email-local.cold_email.block_queue`))), '') as block_queue_ids_md5,
        CURRENT_TIMESTAMP() as sealed_at

    from budget

)

select * from final
