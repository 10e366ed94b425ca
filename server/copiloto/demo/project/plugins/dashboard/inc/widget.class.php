<?php

/**
 * A dashboard widget of the GLPI plugin: counts tickets by status for the team's wall screen.
 */
class PluginDashboardWidget extends CommonDBTM
{
    public static function getTypeName($nb = 0)
    {
        return _n('Widget', 'Widgets', $nb, 'dashboard');
    }

    public function countByStatus(array $entities): array
    {
        global $DB;

        $counts = [];
        $iterator = $DB->request([
            'SELECT' => ['status', 'COUNT' => 'id AS total'],
            'FROM'   => 'glpi_tickets',
            'WHERE'  => ['entities_id' => $entities],
            'GROUPBY' => 'status',
        ]);
        foreach ($iterator as $row) {
            $counts[$row['status']] = $row['total'];
        }
        return $counts;
    }

    public function render(array $entities): string
    {
        $counts = $this->countByStatus($entities);
        return Ticket::getStatusIcon($counts['new']) . ' ' . $counts['new'];
    }
}
