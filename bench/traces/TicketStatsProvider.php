<?php

/**
 * Dashboard cards for the GLPI Dashboard: ticket counts and service-level figures per entity.
 *
 * Written for Copiloto's typing-trace benchmark in the style of GLPI's own dashboard providers
 * (src/Dashboard/Provider.php): criteria arrays for $DB->request(), entity restrictions, translated labels.
 */

namespace GlpiPlugin\Dashboard;

use CommonITILObject;
use DBmysql;
use Session;
use Ticket;

class TicketStatsProvider
{
    public const CACHE_TTL = 300;

    private DBmysql $db;
    private array $cache = [];

    public function __construct(DBmysql $db)
    {
        $this->db = $db;
    }

    /**
     * Number of tickets per status for the active entities, newest first.
     */
    public function countByStatus(array $params = []): array
    {
        $criteria = [
            'SELECT' => ['status', 'COUNT' => 'id AS total'],
            'FROM'   => Ticket::getTable(),
            'WHERE'  => [
                'is_deleted' => 0,
            ] + getEntitiesRestrictCriteria(Ticket::getTable()),
            'GROUPBY' => 'status',
        ];
        if (!empty($params['apply_filters']['dates'])) {
            $criteria['WHERE'][] = $this->dateCriteria($params['apply_filters']['dates']);
        }

        $data = [];
        foreach ($this->db->request($criteria) as $row) {
            $data[] = [
                'number' => (int) $row['total'],
                'label'  => Ticket::getStatus($row['status']),
                'url'    => Ticket::getSearchURL() . '?criteria[0][field]=12&criteria[0][value]=' . $row['status'],
            ];
        }

        return [
            'data'  => $data,
            'label' => __('Tickets by status'),
            'icon'  => Ticket::getIcon(),
        ];
    }

    /**
     * Share of solved tickets whose resolution met the time to resolve, as a percentage.
     */
    public function slaCompliance(array $params = []): array
    {
        $table = Ticket::getTable();
        $solved = [CommonITILObject::SOLVED, CommonITILObject::CLOSED];
        $criteria = [
            'SELECT' => [
                'COUNT' => 'id AS total',
            ],
            'FROM'  => $table,
            'WHERE' => [
                'is_deleted' => 0,
                'status'     => $solved,
                'NOT'        => ['time_to_resolve' => null],
            ] + getEntitiesRestrictCriteria($table),
        ];
        $total = (int) $this->db->request($criteria)->current()['total'];

        $criteria['WHERE'][] = new \QueryExpression(
            $this->db->quoteName('solvedate') . ' <= ' . $this->db->quoteName('time_to_resolve')
        );
        $onTime = (int) $this->db->request($criteria)->current()['total'];

        $percent = $total > 0 ? round(100 * $onTime / $total, 1) : 0.0;
        return [
            'number' => $percent,
            'label'  => sprintf(__('%s%% solved on time'), $percent),
            'icon'   => 'ti ti-clock-check',
        ];
    }

    /**
     * Mean time to own (first assignment) in hours over the last $days days.
     */
    public function meanTimeToOwn(int $days = 30): float
    {
        $key = 'ttw_' . $days . '_' . Session::getActiveEntity();
        if (isset($this->cache[$key]) && $this->cache[$key]['at'] > time() - self::CACHE_TTL) {
            return $this->cache[$key]['value'];
        }

        $iterator = $this->db->request([
            'SELECT' => ['AVG' => 'takeintoaccount_delay_stat AS delay'],
            'FROM'   => Ticket::getTable(),
            'WHERE'  => [
                'is_deleted' => 0,
                'date'       => ['>=', date('Y-m-d H:i:s', strtotime("-$days days"))],
                ['NOT' => ['takeintoaccount_delay_stat' => 0]],
            ] + getEntitiesRestrictCriteria(Ticket::getTable()),
        ]);
        $seconds = (float) ($iterator->current()['delay'] ?? 0);
        $value = round($seconds / HOUR_TIMESTAMP, 2);

        $this->cache[$key] = ['at' => time(), 'value' => $value];
        return $value;
    }

    /**
     * The WHERE clause that keeps tickets opened between two dates (either may be empty).
     */
    private function dateCriteria(array $dates): array
    {
        $where = [];
        if (!empty($dates[0])) {
            $where[] = ['date' => ['>=', $dates[0]]];
        }
        if (!empty($dates[1])) {
            $where[] = ['date' => ['<=', $dates[1]]];
        }
        return ['AND' => $where];
    }
}
